// Runs the shared third-party corpus (../shared/corpus) the way the reference measured it, and
// compares every (script, variant) verdict with reference-verdicts.tsv. Usage:
//   node dist/runner/corpus.js tcp|mptcp [-j N] [--filter REGEX] [--report FILE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob } from '../src/cli/job.js';
import type { Flag, IpVersion } from '../src/interpreter/config.js';
import type { RunResult } from '../src/report/result.js';
import { prepareCorpusHost } from './corpus-host.js';
import { mapPool } from './pool.js';
import { createProgress } from './progress.js';
import { runOne } from './run-one.js';
import { RunProcessPool } from './run-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** ../shared/corpus beside the project (found from here whether run from runner/ or dist/runner/). */
export function corpusDir(): string {
  if (process.env.TSDRILL_CORPUS_DIR) return resolve(process.env.TSDRILL_CORPUS_DIR);
  let dir = HERE;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return resolve(dir, '../shared/corpus');
}

/** Per-variant flags of the two upstream runners (../shared/corpus/README.md, "IP variants"). */
const D = (name: string, value: string): Flag => ({ name: 'define', value: `${name}=${value}` });
const addresses = (local: string, gateway: string, remote: string, netmask?: string): Flag[] => [
  { name: 'local_ip', value: local },
  { name: 'gateway_ip', value: gateway },
  ...(netmask ? [{ name: 'netmask_ip', value: netmask }] : []),
  { name: 'remote_ip', value: remote },
];
const cmsg = (v6: boolean): Flag[] => [D('CMSG_LEVEL_IP', v6 ? 'SOL_IPV6' : 'SOL_IP'), D('CMSG_TYPE_RECVERR', v6 ? 'IPV6_RECVERR' : 'IP_RECVERR')];
const MTU_1520: Flag = { name: 'mtu', value: '1520' };

const mptcpV4 = addresses('192.168.0.2', '192.168.0.1', '192.0.2.1/24', '255.255.0.0');
const tcpV4 = addresses('192.168.0.1', '192.168.0.1', '192.0.2.1', '255.255.0.0');
const VARIANT_FLAGS: Record<'tcp' | 'mptcp', Record<IpVersion, Flag[]>> = {
  mptcp: {
    ipv4: [...mptcpV4, D('TFO_COOKIE', 'de4f234f0f433a55'), ...cmsg(false)],
    'ipv4-mapped-ipv6': [...mptcpV4, D('TFO_COOKIE', 'de4f234f0f433a55'), ...cmsg(true)],
    ipv6: [MTU_1520, ...addresses('fd3d:fa7b:d17d::0', 'fd3d:fa7b:d17d:8888::0', '2001:DB8::1/32'), D('TFO_COOKIE', '6aa6ae70c288023b'), ...cmsg(true)],
  },
  tcp: {
    ipv4: [...tcpV4, D('TFO_COOKIE', '3021b9d889017eeb'), D('CODE', 'host_unreachable'), ...cmsg(false)],
    'ipv4-mapped-ipv6': [...tcpV4, D('TFO_COOKIE', '3021b9d889017eeb'), D('CODE', 'host_unreachable'), ...cmsg(true)],
    ipv6: [MTU_1520, ...addresses('fd3d:0a0b:17d6::1', 'fd3d:0a0b:17d6:8888::1', 'fd3d:fa7b:d17d::1'), D('TFO_COOKIE', 'c1d1e9742a47a9bc'), ...cmsg(true)],
  },
};

export function corpusFlags(suite: 'tcp' | 'mptcp', variant: IpVersion): Flag[] {
  const common: Flag[] = [{ name: 'ip_version', value: variant }, { name: 'send_omit_free' }, ...VARIANT_FLAGS[suite][variant]];
  if (suite === 'mptcp') common.push({ name: 'tolerance_usecs', value: '300000' }, D('TCP_IS_MPTCP', '43'));
  return common;
}

export interface ReferenceRow {
  script: string;
  variant: IpVersion;
  verdict: 'pass' | 'fail' | 'timeout';
  wallMs: number;
  /** `file.pkt:LINE: message` as the reference printed it. */
  firstError: string;
}

export function readReference(dir: string): ReferenceRow[] {
  return readFileSync(join(dir, 'reference-verdicts.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [script, variant, verdict, wallMs, firstError] = line.split('\t');
      return { script: script!, variant: variant as IpVersion, verdict: verdict as ReferenceRow['verdict'], wallMs: Number(wallMs), firstError: firstError ?? '' };
    });
}

/** The line number in a reference error (`name.pkt:51: ...`), if any. */
export function referenceLine(firstError: string): number | undefined {
  const m = /^[^:\s]+\.pkt:(\d+):/.exec(firstError);
  return m ? Number(m[1]) : undefined;
}

export interface Comparison {
  row: ReferenceRow;
  ours: RunResult;
  agree: boolean;
  why: string;
}

/** Same verdict; for failures, also the same line (the reference's first error line). */
export function compareVerdict(row: ReferenceRow, ours: RunResult): Comparison {
  const ourFail = ours.verdict !== 'pass';
  const refFail = row.verdict !== 'pass';
  if (ourFail !== refFail) return { row, ours, agree: false, why: `verdict: reference ${row.verdict}, ours ${ours.verdict}` };
  if (!refFail) return { row, ours, agree: true, why: '' };
  const refLine = referenceLine(row.firstError);
  if (refLine !== undefined && ours.error?.line !== undefined && refLine !== ours.error.line)
    return { row, ours, agree: false, why: `both fail, reference on line ${refLine}, ours on line ${ours.error.line}` };
  return { row, ours, agree: true, why: '' };
}

function formatReport(suite: string, comparisons: Comparison[], wallMs: number): string {
  const agree = comparisons.filter((c) => c.agree).length;
  const lines = [
    `# tsdrill vs reference packetdrill: ${suite} corpus`,
    '',
    `${new Date().toISOString()}; ${comparisons.length} runs; wall time ${(wallMs / 1000).toFixed(1)} s`,
    '',
    `| | runs |`,
    `| --- | --- |`,
    `| agree | ${agree} (${((100 * agree) / Math.max(1, comparisons.length)).toFixed(1)}%) |`,
    `| disagree | ${comparisons.length - agree} |`,
    `| ours pass / reference pass | ${comparisons.filter((c) => c.ours.verdict === 'pass').length} / ${comparisons.filter((c) => c.row.verdict === 'pass').length} |`,
    '',
    '## Disagreements',
    '',
    '| script | variant | why | our first error | reference |',
    '| --- | --- | --- | --- | --- |',
  ];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 200);
  for (const c of comparisons.filter((x) => !x.agree)) {
    const ours = c.ours.error ? `${c.ours.error.line ?? '?'}: ${c.ours.error.message}` : c.ours.verdict;
    lines.push(`| ${c.row.script} | ${c.row.variant} | ${cell(c.why)} | ${cell(ours)} | ${cell(c.row.firstError || c.row.verdict)} |`);
  }
  lines.push('', ...formatTimeComparison(comparisons));
  return lines.join('\n') + '\n';
}

/** Our run times beside the reference's (its serial wall_ms per run), to see where time goes. */
export function formatTimeComparison(comparisons: Comparison[]): string[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const ours = sum(comparisons.map((c) => c.ours.durationMs));
  const ref = sum(comparisons.map((c) => c.row.wallMs));
  const diffs = comparisons.map((c) => ({ c, d: c.ours.durationMs - c.row.wallMs })).sort((a, b) => a.d - b.d);
  const median = diffs.length ? diffs[diffs.length >> 1]!.d : 0;
  const lines = [
    '## Time per run',
    '',
    `Sum of run times: ours ${(ours / 1000).toFixed(1)} s, reference ${(ref / 1000).toFixed(1)} s (serial); median difference per run ${median >= 0 ? '+' : ''}${median} ms.`,
    '',
    '| slowest relative to the reference | variant | ours ms | reference ms |',
    '| --- | --- | --- | --- |',
  ];
  for (const { c } of diffs.slice(-5).reverse()) lines.push(`| ${c.row.script} | ${c.row.variant} | ${c.ours.durationMs} | ${c.row.wallMs} |`);
  return lines;
}

/**
 * Runs corpus rows as the reference measured them (host prepared and restored, per-variant
 * flags) and compares each verdict. Results keep the rows' order.
 */
export async function runCorpus(
  suite: 'tcp' | 'mptcp',
  rows: ReferenceRow[],
  opts: { jobs: number; dir: string; progress?: ReturnType<typeof createProgress>; log: (line: string) => void },
): Promise<Comparison[]> {
  const restore = await prepareCorpusHost(opts.log);
  const pool = new RunProcessPool({ jobs: opts.jobs, runs: rows.length, currentNetns: false });
  try {
    // Longest first (by the reference's times): a long script started last would leave one job
    // slot running alone at the end.
    const longestFirst = [...rows].sort((a, b) => b.wallMs - a.wallMs);
    const done = await mapPool(longestFirst, opts.jobs, async (row) => {
      const file = join(opts.dir, row.script);
      const job: ChildJob = { file, display: relative(process.cwd(), file), variant: row.variant, flags: corpusFlags(suite, row.variant), toleranceScale: 1 };
      const h = opts.progress?.start(`${row.script} ${row.variant}`);
      const ours = await runOne(job, { timeoutMs: 180_000, currentNetns: false, pool });
      if (h !== undefined) opts.progress?.end(h, ours);
      return compareVerdict(row, ours);
    });
    return rows.map((row) => done[longestFirst.indexOf(row)]!);
  } finally {
    await pool.close();
    opts.progress?.finish();
    restore();
  }
}

async function main(argv: string[]): Promise<number> {
  const suite = argv[0];
  if (suite !== 'tcp' && suite !== 'mptcp') {
    process.stderr.write('usage: node dist/runner/corpus.js tcp|mptcp [-j N] [--filter REGEX] [--report FILE]\n');
    return 2;
  }
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = corpusDir();
  if (!existsSync(join(dir, 'reference-verdicts.tsv'))) {
    process.stderr.write(`corpus not found at ${dir} (set TSDRILL_CORPUS_DIR)\n`);
    return 2;
  }
  const filter = opt('--filter') ? new RegExp(opt('--filter')!) : undefined;
  const rows = readReference(dir).filter((r) => r.script.startsWith(`${suite}/`) && (!filter || filter.test(r.script)));
  const jobs = Number(opt('-j') ?? availableParallelism());
  const started = performance.now();
  const progress = createProgress(process.stderr, rows.length, { jobs });
  const comparisons = await runCorpus(suite, rows, { jobs, dir, progress, log: (l) => process.stderr.write(`${l}\n`) });
  const report = formatReport(suite, comparisons, performance.now() - started);
  const out = opt('--report') ?? `corpus-${suite}.md`;
  writeFileSync(out, report);
  const agree = comparisons.filter((c) => c.agree).length;
  process.stdout.write(`${suite}: ${agree}/${comparisons.length} runs agree with the reference (${out})\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
