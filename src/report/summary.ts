// The end-of-run summary for a terminal: counts, slowest runs, flaky runs, failures. Plain text
// (no colour), columns aligned with spaces.
import { aggregateRepeats } from './flaky.js';
import type { RunResult } from './result.js';
import { countVerdicts, errorAt, isFailing, printable } from './suites.js';

export interface SummaryOptions {
  /** How many of the slowest runs to list (default 5, 0 for none). */
  slowest?: number;
  /** Wall time of the whole run, printed with the counts. */
  wallMs?: number;
  /** `--strict`: flaky runs are listed as failures too. */
  strict?: boolean;
  /** Truncate lines to this many columns (a TTY's width); default no limit. */
  columns?: number;
  /** The run was interrupted. */
  interrupted?: boolean;
}

/** `850ms`, `12.3s`, `3m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}h${String(m).padStart(2, '0')}m${sec}s` : `${m}m${sec}s`;
}

/** Rows as aligned columns: every column but the last padded to its widest cell; `right` columns right-aligned. */
export function table(rows: readonly (readonly string[])[], right: readonly number[] = [], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => {
    const cells = row.map((c, i) => {
      if (right.includes(i)) return c.padStart(widths[i]!);
      return i === row.length - 1 ? c : c.padEnd(widths[i]!);
    });
    return (indent + cells.join('  ')).trimEnd();
  });
}

const oneLine = (s: string) => printable(s).replace(/\n/g, ' ');

/**
 * The summary text (ends with a newline). Repeats are aggregated first. Sections (each only when
 * non-empty): the counts line, `slowest:`, `flaky:` (with pass rate), `failures:` (verdict,
 * run, file:line:col, message).
 */
export function formatSummary(results: readonly RunResult[], opts: SummaryOptions = {}): string {
  const runs = aggregateRepeats(results);
  const t = countVerdicts(runs);
  const parts = [`${t.pass} passed`, `${t.fail} failed`];
  if (t.timeout) parts.push(`${t.timeout} timed out`);
  if (t.error) parts.push(`${t.error} errored`);
  if (t.flaky) parts.push(`${t.flaky} flaky`);
  if (t.skip) parts.push(`${t.skip} skipped`);
  let head = `${runs.length} run${runs.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
  if (opts.wallMs !== undefined) head += ` in ${formatDuration(opts.wallMs)}`;
  if (opts.interrupted) head += ' (interrupted)';
  const lines = [head];

  const slowest = opts.slowest ?? 5;
  const ran = runs.filter((r) => r.verdict !== 'skip').sort((a, b) => b.durationMs - a.durationMs).slice(0, slowest);
  if (ran.length) {
    lines.push('', 'slowest:');
    lines.push(...table(ran.map((r) => [formatDuration(r.durationMs), `${r.script} ${r.variant}`, r.verdict]), [0]));
  }

  const flaky = runs.filter((r) => r.verdict === 'flaky');
  if (flaky.length) {
    lines.push('', 'flaky:');
    lines.push(
      ...table(
        flaky.map((r) => [r.passRate ?? '?', `${r.script} ${r.variant}`, r.error ? errorAt(r.error) : '', r.error ? oneLine(r.error.message) : '']),
        [0],
      ),
    );
  }

  const failed = runs.filter((r) => isFailing(r.verdict, opts.strict));
  if (failed.length) {
    lines.push('', 'failures:');
    lines.push(
      ...table(failed.map((r) => [r.verdict.toUpperCase(), `${r.script} ${r.variant}`, r.error ? errorAt(r.error) : r.script, r.error ? oneLine(r.error.message) : ''])),
    );
  }
  const cut = opts.columns && opts.columns > 1 ? (l: string) => (l.length > opts.columns! ? `${l.slice(0, opts.columns! - 1)}…` : l) : (l: string) => l;
  return lines.map(cut).join('\n') + '\n';
}
