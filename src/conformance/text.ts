// The matrix as plain text for a terminal or a CI log.
import { orderedRows, percent, type Matrix, type MatrixRow, type Totals } from './matrix.js';
import type { ScriptVerdict } from './results.js';

export interface TextSources {
  requirementsFile: string;
  scriptCount: number;
}

const cellText = (v: ScriptVerdict | undefined): string => {
  if (!v) return 'not run';
  const variants = Object.entries(v.variants).filter(([, x]) => x !== v.verdict);
  return variants.length ? `${v.verdict} (${Object.entries(v.variants).map(([k, x]) => `${k} ${x}`).join(', ')})` : v.verdict;
};

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function formatMatrixText(m: Matrix, src: TextSources): string {
  const out: string[] = [];
  const kernels = m.kernels.length ? m.kernels : [];
  out.push(`Conformance: RFC 8684, ${m.title}`);
  out.push(`requirements: ${src.requirementsFile} (${m.rows.length} testable, ${m.untestable.length} untestable); scripts with a conforms tag: ${src.scriptCount}`);
  out.push(`kernels: ${kernels.length ? kernels.join(', ') : 'none (no --results given: coverage only)'}`);
  const t = m.totals;
  out.push(`coverage: ${t.covered}/${t.requirements} requirements (${percent(t.covered, t.requirements)}), MUST ${t.mustCovered}/${t.must} (${percent(t.mustCovered, t.must)})`);
  out.push('');

  const rows = orderedRows(m);
  const uncovered = rows.filter((r) => r.scripts.length === 0);
  out.push(`Not covered by any script (${uncovered.length}):`);
  if (uncovered.length === 0) out.push('  (none)');
  for (const r of uncovered) out.push(`  ${r.req.id}  ${r.req.level}  ${r.req.side}: ${r.req.text}`, `      why: ${r.req.gap ?? 'no reason given (add `gap:` to the requirement, or a script)'}`);
  out.push('');

  out.push('Requirements -> scripts -> verdicts:');
  const header = ['id', 'level', 'side', ...kernels.map((k) => `[${k}]`)];
  const lines: string[][] = [header];
  const detail = new Map<number, string[]>();
  rows.forEach((r: MatrixRow) => {
    lines.push([r.req.id, r.req.level, r.req.side, ...r.verdicts.map((v) => v ?? (r.scripts.length ? 'not run' : '-'))]);
    detail.set(lines.length - 1, r.scripts.map((s) => `      ${s.script}${s.verdicts.length ? `: ${s.verdicts.map(cellText).join(' | ')}` : ''}`));
  });
  table(lines).forEach((l, i) => out.push(l, ...(detail.get(i) ?? [])));
  out.push('');

  out.push('Per section:');
  const totalRow = (name: string, s: Totals) => [name, String(s.requirements), `${s.covered} (${percent(s.covered, s.requirements)})`, `${s.mustCovered}/${s.must} (${percent(s.mustCovered, s.must)})`, ...s.passing.map((p) => `${p}/${s.covered}`)];
  out.push(...table([['section', 'requirements', 'covered', 'MUST covered', ...kernels.map((k) => `passing [${k}]`)], ...m.sections.map((s) => totalRow(s.section, s)), totalRow('total', t)]));
  out.push('');

  out.push(`Untestable over TUN (${m.untestable.length}):`);
  for (const u of m.untestable) out.push(`  ${u.id}  ${u.level}  ${u.side}: ${u.text}`, `      why: ${u.reason}`);
  return out.join('\n') + '\n';
}
