// Runs one job (a script in one IP variant) in the current network namespace: parse,
// configure, run, and turn every outcome into the one result model.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { formatDiagnostic } from '../diagnostics/code-frame.js';
import { buildConfig, ConfigError } from '../interpreter/config.js';
import { ScriptError } from '../interpreter/errors.js';
import { runScript, type RunHooks } from '../interpreter/run.js';
import { parseScript, ParseError } from '../parser/index.js';
import { scriptRequirements } from '../parser/requirements.js';
import { unmetRequirements } from '../kernel/requirements.js';
import { writePcap } from '../report/pcap.js';
import type { RunResult } from '../report/result.js';
import { clocks } from '../sys/libc.js';
import type { ChildJob } from './job.js';

/**
 * Runs one script variant in the current network namespace and returns its result (never
 * throws for script, parse or configuration errors: they are results too).
 */
export async function runJob(job: ChildJob, hooks: Pick<RunHooks, 'log'> = {}): Promise<RunResult> {
  const started = performance.now();
  const log: string[] = [];
  const result = (r: Partial<RunResult>): RunResult => ({
    script: job.display,
    variant: job.variant,
    verdict: 'pass',
    durationMs: Math.round(performance.now() - started),
    warnings: [],
    log,
    ...r,
  });
  const source = readFileSync(job.file, 'utf8');
  const defines: Record<string, string> = {};
  for (const f of job.flags) if (f.name === 'define' && f.value) defines[f.value.split('=')[0]!] = f.value.slice(f.value.indexOf('=') + 1);
  try {
    const script = parseScript(source, job.file, { defines });
    const config = buildConfig(
      script.options.map((o) => ({ name: o.name, value: o.value })),
      job.flags,
    );
    config.toleranceUsecs = Math.round(config.toleranceUsecs * (job.toleranceScale ?? 1));
    // --dry_run: parse and configure only, as packetdrill does.
    if (config.dryRun) return result({});
    // `// require: ...`: what this kernel lacks skips the run (probed here, in the run's netns).
    const unmet = unmetRequirements(scriptRequirements(script, job.display), { ipv6: config.ipVersion !== 'ipv4' });
    if (unmet.length) return result({ verdict: 'skip', skipReason: unmet.join('; ') });
    const outcome = await runScript(script, job.file, config, {
      log: (l) => {
        log.push(l);
        hooks.log?.(l);
      },
    });
    if (job.pcap && (job.pcap.mode === 'all' || outcome.error)) {
      mkdirSync(dirname(job.pcap.path), { recursive: true });
      writeFileSync(job.pcap.path, writePcap(outcome.packets, { realtimeOffsetNs: clocks.realtimeNs() - clocks.monotonicNs() }));
    }
    if (!outcome.error) return result({ warnings: outcome.warnings });
    const e = outcome.error;
    const name = basename(job.file);
    return result({
      // A lower layer of tsdrill failed at this event: an error of the run, not a kernel failure.
      verdict: e.kind === 'setup' ? 'error' : 'fail',
      warnings: outcome.warnings,
      error: {
        message: e.message,
        kind: e.kind,
        file: job.display,
        line: e.loc.start.line,
        column: e.loc.start.column,
        framed: formatDiagnostic(source, { severity: 'error', message: e.message, file: job.display, loc: e.loc, notes: e.notes }),
        legacy: `${name}:${e.loc.start.line}: ${legacyPrefix(e)}${e.legacy ?? e.message}`,
      },
    });
  } catch (e) {
    if (e instanceof ParseError) {
      const { message, loc } = e.diagnostic;
      return result({
        verdict: 'error',
        error: { message, kind: e.kind, file: job.display, line: loc.start.line, column: loc.start.column, framed: e.format(source), legacy: e.message },
      });
    }
    const msg = e instanceof Error ? e.message : String(e);
    const kind = e instanceof ConfigError ? 'usage' : 'setup';
    return result({ verdict: 'error', error: { message: msg, kind, file: job.display, framed: `error: ${msg}`, legacy: `${basename(job.file)}: ${msg}` } });
  }
}

function legacyPrefix(e: ScriptError): string {
  if (e.kind === 'packet') return 'error handling packet: ';
  return '';
}

