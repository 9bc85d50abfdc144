// The tsdrill command line: parse scripts, run them (each variant in a fresh netns), report TAP.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob } from '../src/cli/job.js';
import { formatDiagnostic } from '../src/diagnostics/code-frame.js';
import { checkSymbols } from '../src/interpreter/check-symbols.js';
import { parseScript, ParseError } from '../src/parser/index.js';
import type { Script } from '../src/parser/ast.js';
import type { RunResult } from '../src/report/result.js';
import { aggregateRepeats } from '../src/report/flaky.js';
import { formatJson } from '../src/report/json.js';
import { formatJunit } from '../src/report/junit.js';
import { pcapFileName } from '../src/report/pcap.js';
import { isFailing } from '../src/report/suites.js';
import { formatSummary } from '../src/report/summary.js';
import { TapSuiteStream } from '../src/report/tap.js';
import { packetdrillMain } from './packetdrill-cli.js';
import { createProgress, isCi } from './progress.js';
import { reportUnattributed, watchKernelLog, withKernelSplats } from './kernel-log-watch.js';
import { HELP, parseArgs, UsageError, type RunArgs } from './args.js';
import { discoverScripts, variantsFor } from './discover.js';
import { mapPool } from './pool.js';
import { runOne } from './run-one.js';
import { RunProcessPool } from './run-process.js';
import { wantsVm } from '../src/vm/options.js';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

function definesOf(args: RunArgs): Record<string, string> {
  const d: Record<string, string> = {};
  for (const f of args.flags) if (f.name === 'define' && f.value?.includes('=')) d[f.value.split('=')[0]!] = f.value.slice(f.value.indexOf('=') + 1);
  return d;
}

/** Parses every script; prints every framed error; returns undefined if any failed. */
function parseAll(files: readonly string[], args: RunArgs): Map<string, Script> | undefined {
  const parsed = new Map<string, Script>();
  let failed = false;
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      err(`error: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      failed = true;
      continue;
    }
    try {
      parsed.set(file, parseScript(source, file, { defines: definesOf(args) }));
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      err(e.format(source) + '\n');
      failed = true;
    }
  }
  return failed ? undefined : parsed;
}

const bigintJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

async function run(args: RunArgs): Promise<number> {
  let files: string[];
  try {
    files = discoverScripts(args.paths);
  } catch (e) {
    throw new UsageError(`cannot read ${(e as NodeJS.ErrnoException).path ?? ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (args.filter) files = files.filter((f) => args.filter!.test(f));
  if (files.length === 0) throw new UsageError(`no *.pkt scripts found in ${args.paths.join(', ')}`);
  const scripts = parseAll(files, args);
  if (!scripts) return 2;
  if (args.command === 'parse') {
    const defines = new Set(Object.keys(definesOf(args)));
    let unknown = 0;
    for (const [file, script] of scripts) {
      const source = readFileSync(file, 'utf8');
      for (const d of checkSymbols(script, file, defines)) {
        err(formatDiagnostic(source, d) + '\n');
        unknown++;
      }
    }
    if (unknown) return 2;
    if (args.printAst) out(JSON.stringify(Object.fromEntries(scripts), bigintJson, 2));
    else err(`parsed ${scripts.size} script${scripts.size === 1 ? '' : 's'}: no errors`);
    return 0;
  }

  const jobs: ChildJob[] = [];
  for (const [file, script] of scripts) {
    const header = script.options.find((o) => o.name === 'ip_version')?.value;
    for (const variant of variantsFor(file, header, args.variants)) {
      jobs.push({
        file: resolve(file),
        display: file,
        variant,
        flags: [...args.flags, { name: 'ip_version', value: variant }],
        toleranceScale: args.toleranceScale,
      });
    }
  }
  return runJobs(jobs, args);
}

/** Runs every job (× --repeat) in parallel netns processes, streaming TAP; writes the result files. */
async function runJobs(jobs: ChildJob[], args: RunArgs): Promise<number> {
  const startedAt = new Date();
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const attempts = jobs.flatMap((job) => Array.from({ length: args.repeat }, (_, attempt) => ({ job, attempt })));
  const tap = new TapSuiteStream(jobs.map((j) => ({ script: j.display, variant: j.variant })), { repeat: args.repeat, strict: args.strict });
  const progress = createProgress(process.stderr, attempts.length, { jobs: args.jobs });
  const print = (text: string) => {
    if (!text) return;
    progress.clear();
    out(text);
  };
  print(tap.header());
  const raw: RunResult[] = [];
  const pool = new RunProcessPool({ jobs: args.jobs, runs: attempts.length, currentNetns: args.currentNetns });
  const kernelLog = watchKernelLog(err);
  abort.signal.addEventListener('abort', () => pool.killAll(), { once: true });
  await mapPool(attempts, args.jobs, async ({ job, attempt }) => {
    if (abort.signal.aborted) return;
    const pcap = args.pcapDir
      ? { path: join(args.pcapDir, pcapFileName({ script: job.display, variant: job.variant }, args.repeat > 1 ? attempt + 1 : undefined)), mode: args.pcapMode }
      : undefined;
    const handle = progress.start(`${job.display} ${job.variant}`);
    const inFlightName = `${job.display} ${job.variant}${args.repeat > 1 ? ` #${attempt + 1}` : ''}`;
    await kernelLog?.begin(inFlightName);
    let r = await runOne({ ...job, pcap }, { timeoutMs: args.timeoutSec * 1000, currentNetns: args.currentNetns, signal: abort.signal, pool });
    if (kernelLog) r = withKernelSplats(r, await kernelLog.end(inFlightName));
    progress.end(handle, r);
    if (abort.signal.aborted && r.error?.kind === 'crash') return; // killed by Ctrl-C: reported as interrupted
    raw.push({ ...r, kernel: release() });
    if (args.verbose) for (const l of r.log) if (l) err(`# ${r.script} ${r.variant}: ${l}`);
    print(tap.add(r));
  });
  await pool.close();
  reportUnattributed(kernelLog, err);
  const interrupted = abort.signal.aborted;
  progress.finish();
  print(tap.finish({ interrupted }));
  const results = aggregateRepeats(raw);
  const finishedAt = new Date();
  if (process.stderr.isTTY && !isCi(process.env))
    err(formatSummary(results, { wallMs: finishedAt.getTime() - startedAt.getTime(), strict: args.strict, columns: process.stderr.columns, interrupted }));
  if (args.junit) writeResultFile(args.junit, formatJunit(results, { incomplete: interrupted, strict: args.strict, timestamp: startedAt }));
  if (args.json)
    writeResultFile(
      args.json,
      formatJson(results, {
        startedAt,
        finishedAt,
        complete: !interrupted,
        argv: process.argv.slice(2),
        kernel: release(),
        repeat: args.repeat,
        strict: args.strict,
        planned: jobs.length,
      }),
    );
  if (interrupted) return 130;
  return results.some((r) => isFailing(r.verdict, args.strict)) || results.length < jobs.length ? 1 : 0;
}

function writeResultFile(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

export async function main(argv: readonly string[]): Promise<number> {
  // No subcommand but flags or a script: packetdrill's own command line (drop-in mode).
  const first = argv[0];
  if (first === 'conformance') return (await import('../src/conformance/command.js')).conformanceMain(argv.slice(1));
  if (first !== undefined && !['--help', '-h', '--version'].includes(first) && (first.startsWith('-') || first.endsWith('.pkt')))
    return packetdrillMain(argv);
  try {
    // The VM path's modules load only when asked for: a plain run does not pay for them.
    if (first === 'run' && wantsVm(argv)) return await (await import('./vm.js')).runInVm(argv);
    const args = parseArgs(argv, availableParallelism());
    if (args.command === 'help') {
      out(HELP);
      return 0;
    }
    if (args.command === 'version') {
      const pkg = JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string };
      out(pkg.version);
      return 0;
    }
    return await run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`tsdrill: ${e.message}`);
      return 2;
    }
    err(`tsdrill: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 3;
  }
}
