// The tsdrill command line: parse scripts, run them (each variant in a fresh netns), report TAP.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob } from '../src/cli/job.js';
import { parseScript, ParseError } from '../src/parser/index.js';
import type { Script } from '../src/parser/ast.js';
import type { RunResult } from '../src/report/result.js';
import { tapTestPoint } from '../src/report/tap.js';
import { HELP, parseArgs, UsageError, type RunArgs } from './args.js';
import { discoverScripts, variantsFor } from './discover.js';
import { mapPool } from './pool.js';
import { runOne } from './run-one.js';

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
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  out('TAP version 13');
  out(`1..${jobs.length}`);
  let done = 0;
  const results: RunResult[] = await mapPool(jobs, args.jobs, async (job) => {
    const r = await runOne(job, { timeoutMs: args.timeoutSec * 1000, currentNetns: args.currentNetns, signal: abort.signal });
    done++;
    out(tapTestPoint(done, r).join('\n'));
    if (args.verbose) for (const l of r.log) if (l) err(`# ${r.script} ${r.variant}: ${l}`);
    return r;
  });
  const failed = results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skip');
  out(`# ${results.length - failed.length} passed, ${failed.length} failed`);
  if (abort.signal.aborted) return 130;
  return failed.length ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
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
