// All benchmarks, then bench/RESULTS.md and bench/timing-histogram.svg.
//
//   npm run bench                      (build, then everything: about 10 minutes on 2 cores)
//   node bench/run.mjs [--quick] [--skip-timing] [--skip-suite] [--skip-parse]
//                      [--jobs 1,2] [--packets N] [--hogs N]
//   node bench/run.mjs --render-only   (RESULTS.md and the SVG again from bench/out/results.json)
//
// --quick: 200 injections, corpus at -j2 only. Figures are measurements of this machine at
// this moment; the load average is recorded next to each one, because other processes on a
// shared machine pollute timing. Never used as assertions in tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtUs, histogramSvg, load, machine } from './lib.mjs';
import { analyseCorpus, corpusRun, fixedCost, scriptsRun } from './suite.mjs';
import { timingBench } from './timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const args = process.argv.slice(2);
const has = (n) => args.includes(n);
const flag = (n, d) => (has(n) ? args[args.indexOf(n) + 1] : d);
const quick = has('--quick');
const log = (l) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${l}\n`);

const TARGETS = {
  medianIdle: 20,
  p99Idle: 200, // the reference's gap-error p99
  p99Load: 1000,
  refGapMedian: 42,
  refGapP99: 200,
  corpusJ2S: 125,
  refSerialS: 250,
};

const resultsFile = join(HERE, 'out', 'results.json');
const results = has('--render-only') ? JSON.parse(readFileSync(resultsFile, 'utf8')) : await measure();
if (!has('--render-only')) writeFileSync(resultsFile, JSON.stringify(results));

async function measure() {
  const started = new Date();
  const results = { date: started.toISOString(), machine: machine(), loadAtStart: load(), quick, args };
  mkdirSync(join(HERE, 'out'), { recursive: true });

  if (!has('--skip-timing')) {
    log('timing ...');
    results.timing = await timingBench({ packets: Number(flag('--packets', quick ? 200 : 600)), hogs: Number(flag('--hogs', 1)), log });
  }
  if (!has('--skip-parse')) {
    log('parse ...');
    const t0 = load();
    const r = spawnSync(process.execPath, [join(HERE, 'parse.mjs')], { cwd: ROOT, encoding: 'utf8' });
    const out = r.stdout.trim();
    const m = /median:\s*([\d,]+) lines\/s \(([\d.]+) MiB\/s\)/.exec(out);
    const c = /corpus:\s*(\d+) scripts, (\d+) lines/.exec(out);
    results.parse = { output: out, linesPerS: m ? Number(m[1].replace(/,/g, '')) : NaN, mibPerS: m ? Number(m[2]) : NaN, scripts: c ? Number(c[1]) : NaN, lines: c ? Number(c[2]) : NaN, load: t0, status: r.status, stderr: r.stderr };
    log(`parse: ${out.split('\n').pop()}`);
  }
  if (!has('--skip-suite')) {
    log('fixed cost per run ...');
    results.fixed = await fixedCost({ n: 10, log });
    results.corpus = [];
    for (const j of flag('--jobs', quick ? '2' : '1,2').split(',').map(Number)) {
      log(`MPTCP corpus at -j${j} ...`);
      const c = await corpusRun({ jobs: j, log: (l) => log(`corpus: ${l}`) });
      const a = analyseCorpus(c);
      results.corpus.push({ ...c, analysis: a });
      log(`corpus -j${j}: ${(c.wallMs / 1000).toFixed(1)} s, ${c.agree}/${c.runs} agree (load ${c.loadBefore})`);
    }
    log('scripts/ ...');
    results.scripts = scriptsRun();
    log(`scripts: ${(results.scripts.wallMs / 1000).toFixed(1)} s`);
  }
  results.finished = new Date().toISOString();
  return results;
}

// ------------------------------------------------------------------ SVG histogram
const condName = (c) => (c.cond === 'idle' ? 'idle' : `${c.hogs} CPU hog${c.hogs > 1 ? 's' : ''}`);
if (results.timing) {
  const colors = {
    'interp idle': '#2b6cb0',
    'interp load': '#dd6b20',
    'interp-deep-idle idle': '#90cdf4',
    'interp-deep-idle load': '#fbd38d',
    'c-reference-style idle': '#68d391',
    'c-reference-style load': '#b794f4',
  };
  const series = results.timing.conditions
    .map((c) => ({
      label: `${c.mode === 'interp' ? 'interpreter' : c.mode}, ${condName(c)}: median ${fmtUs(c.error.median)}, p99 ${fmtUs(c.error.p99)}, max ${fmtUs(c.error.max)} (n=${c.error.n}, load avg ${c.loadBefore.split(' ')[0]})`,
      color: colors[`${c.mode} ${c.cond}`] ?? '#999',
      values: c.raw.errors,
    }));
  const svg = histogramSvg({
    title: 'tsdrill injection timing error (kernel receive timestamp − scheduled time)',
    subtitle: `${results.timing.packets} inbound SYNs at 0.5–50 ms gaps, in a netns; ${results.date.slice(0, 16)}Z, ${results.machine.nproc} cores, Linux ${results.machine.kernel}`,
    xlabel: 'injection error, by bin upper edge (µs unless marked ms)',
    series,
    markers: [
      { at: TARGETS.medianIdle, label: 'target median 20 µs', color: '#2f855a' },
      { at: TARGETS.p99Idle, label: 'target p99 200 µs', color: '#c53030' },
    ],
  });
  writeFileSync(join(HERE, 'timing-histogram.svg'), svg);
  const png = spawnSync('rsvg-convert', ['-o', join(HERE, 'out', 'timing-histogram.png'), join(HERE, 'timing-histogram.svg')]);
  if (png.status === 0) log('timing-histogram.svg rendered to bench/out/timing-histogram.png');
}

// ------------------------------------------------------------------ RESULTS.md
const met = (ok) => (ok ? '**met**' : '**not met**');
const ms = (v) => `${(v / 1000).toFixed(0)} ms`;
const L = [];
L.push('# tsdrill benchmarks');
L.push('');
L.push(`Written by \`bench/run.mjs\` (\`npm run bench\`${results.args?.length ? `, with \`${results.args.join(' ')}\`` : ''}); do not edit by hand.`);
L.push('');
L.push(`- date: ${results.date} (to ${results.finished})`);
L.push(`- machine: ${results.machine.nproc} cores (\`nproc\`), Linux ${results.machine.kernel}, ${results.machine.cpu || 'unknown CPU'}, Node ${results.machine.node}`);
L.push(`- load average (1/5/15 min) at start: ${results.loadAtStart}. Other processes on a shared machine show up in every figure below; each row has the load average when it started.`);
L.push('');
if (results.timing) {
  const T = results.timing;
  const get = (mode, cond) => T.conditions.find((c) => c.mode === mode && c.cond === cond);
  const idle = get('interp', 'idle');
  const busy = get('interp', 'load');
  const refIdle = get('c-reference-style', 'idle');
  const vsRef = refIdle ? `; ≤ c-reference-style's ${fmtUs(refIdle.error.p99)} here: ${met(idle?.error.p99 <= refIdle.error.p99)}` : '';
  L.push('## Injection timing');
  L.push('');
  L.push(`Command: \`node bench/timing.mjs --packets ${T.packets}\` (part of \`npm run bench\`). ${T.packets} inbound SYNs (to a closed port; the kernel answers each with a RST) at absolute script times with log-uniform gaps of 0.5–50 ms (${T.spanS.toFixed(1)} s per run), under \`unshare -n\`. ` +
    'Error = the kernel\'s receive timestamp of the injected packet (AF_PACKET socket on tun0, `SO_TIMESTAMPNS`, the PACKET_HOST copy, i.e. `CapturedPacket.outgoing === false`) − (script clock start + scheduled time). ' +
    'Gap error = |(t[i] − t[i−1]) − (scheduled[i] − scheduled[i−1])|, how the reference packetdrill was judged. Capture latency = when JavaScript read an outbound RST − its kernel timestamp (informative). "CPU hog" = ' +
    `${busy?.hogs ?? 1} process(es) spinning on a core for the duration, started and killed by the bench.`);
  L.push('');
  L.push('Paths measured: **interp** = the generated script run by `runScript()`, as users get it (the figures that count; in the last 3 ms before each event the run asks for a 0 µs CPU wake-up latency on `/dev/cpu_dma_latency`, src/sys/cpu-latency.ts); ' +
    '**interp-deep-idle** = the same with `--allow_deep_idle` (idle CPUs may halt: what the request buys); ' +
    '**c-reference-style** = the reference packetdrill\'s wait loop reproduced in C (bench/reference-style-injector.c: SCHED_RR, mlockall, `usleep()` to 20 µs before, spin on `gettimeofday()`, `write()`), compiled with `cc` by the bench: the bar, measured on this machine.');
  L.push('');
  L.push('"steal" = CPU time the hypervisor took from our vCPUs during that run (/proc/stat, 10 ms ticks, all CPUs): outliers of a VM come from its host.');
  L.push('');
  L.push('| figure | path | condition | median | p90 | p99 | max | > 200 µs | > 1 ms | target | load avg at start | steal |');
  L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const row = (name, c, s, target = '') => L.push(`| ${name} | ${c.mode} | ${condName(c)} | ${fmtUs(s.median)} | ${fmtUs(s.p90)} | ${fmtUs(s.p99)} | ${fmtUs(s.max)} | ${s.over200} / ${s.n} | ${s.over1000} / ${s.n} | ${target} | ${c.loadBefore} | ${c.stolenMs ?? '?'} ms |`);
  if (idle) row('**injection error**', idle, idle.error, `median ≤ 20 µs: ${met(idle.error.median <= TARGETS.medianIdle)}; p99 ≤ ~200 µs: ${met(idle.error.p99 <= TARGETS.p99Idle)}${vsRef}`);
  if (busy) row('**injection error**', busy, busy.error, `p99 < 1 ms: ${met(busy.error.p99 < TARGETS.p99Load)}`);
  if (idle) row('gap error (reference style)', idle, idle.gapError, `reference median ~42 µs, p99 ~200 µs: ${met(idle.gapError.median <= TARGETS.refGapMedian && idle.gapError.p99 <= TARGETS.refGapP99)}`);
  if (busy) row('gap error (reference style)', busy, busy.gapError);
  if (idle) row('capture latency (informative)', idle, idle.readLatency);
  if (busy) row('capture latency (informative)', busy, busy.readLatency);
  for (const c of T.conditions.filter((x) => x.mode !== 'interp')) row('injection error', c, c.error);
  for (const c of T.conditions.filter((x) => x.mode !== 'interp')) row('gap error', c, c.gapError);
  L.push('');
  L.push('Where the interpreter\'s injection error comes from (median / p99, time after the scheduled instant; measured inside the run by wrapping `PacketInjector.prototype.inject`, no change to src/; negative = before the time):');
  L.push('');
  L.push('| path | condition | handed to the injection thread | write() started | inject() returned | kernel stamp (= the error) |');
  L.push('| --- | --- | --- | --- | --- | --- |');
  for (const c of T.conditions) {
    const p = c.phases;
    const f = (s) => (s && s.n ? `${fmtUs(s.median)} / ${fmtUs(s.p99)}` : '–');
    L.push(`| ${c.mode} | ${condName(c)} | ${f(p.handOff)} | ${f(p.writeStart)} | ${f(p.returned)} | ${f(c.error)} |`);
  }
  L.push('');
  if (T.conditions.some((c) => c.raw.error)) L.push(`Script outcome: ${T.conditions.filter((c) => c.mode === 'interp').map((c) => `${c.cond}: ${c.raw.error ?? 'pass'}`).join('; ')}`);
  L.push('');
  L.push('![histogram of injection errors](timing-histogram.svg)');
  L.push('');
}
if (results.fixed || results.corpus || results.scripts) {
  L.push('## Suite wall time');
  L.push('');
  L.push('| figure | wall time | runs | agree with reference | target | load avg at start → end | command |');
  L.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of results.corpus ?? []) {
    const target = c.jobs === 2 ? `≤ ${TARGETS.corpusJ2S} s (0.5 × reference serial ${(c.refSerialMs / 1000).toFixed(0)} s): ${met(c.wallMs / 1000 <= TARGETS.corpusJ2S)}` : `reference serial: ${(c.refSerialMs / 1000).toFixed(0)} s`;
    L.push(`| MPTCP corpus, all variants, -j${c.jobs} | ${(c.wallMs / 1000).toFixed(1)} s | ${c.runs} | ${c.agree} (we pass ${c.pass}) | ${target} | ${c.loadBefore} → ${c.loadAfter} | \`node dist/runner/corpus.js mptcp -j ${c.jobs}\` (same functions, per-run times kept) |`);
  }
  if (results.scripts)
    L.push(`| our scripts/ | ${(results.scripts.wallMs / 1000).toFixed(1)} s | ${results.scripts.okLines + results.scripts.notOkLines} TAP lines (${results.scripts.notOkLines} not ok) | – | – | ${results.scripts.loadBefore} → ${results.scripts.loadAfter} | \`${results.scripts.command}\` (exit ${results.scripts.status}) |`);
  L.push('');
  if (results.fixed) {
    const f = results.fixed;
    L.push('Fixed cost of one run (medians of 10, wall time):');
    L.push('');
    L.push('| part | median | max |');
    L.push('| --- | --- | --- |');
    const r = (name, s) => L.push(`| ${name} | ${ms(s.median)} | ${ms(s.max)} |`);
    r('`node -e 0` (process start)', f.nodeStart);
    r('`unshare -n true`', f.unshare);
    r('`unshare -n node -e 0`', f.unshareNode);
    r('`node` importing the interpreter (`dist/src/interpreter/run.js`, incl. process start)', f.importInterpreter);
    r('`setupEnvironment()` (TUN, `ip` commands, capture socket, drain thread)', f.setupEnvironment);
    r('`Environment.close()`', f.closeEnvironment);
    r('**a trivial script through `runOne()`, new run process** (socket + close; a one-script `tsdrill run`)', f.trivialRun);
    if (f.trivialRunReused) r('**the same, run process reused** (as in a suite: start-up paid once per 25 jobs)', f.trivialRunReused);
    L.push('');
  }
  for (const c of results.corpus ?? []) {
    const a = c.analysis;
    const m = (v) => `${Math.round(v)} ms`;
    L.push(`Corpus -j${c.jobs}: sum of our run times ${(a.sumOursMs / 1000).toFixed(1)} s vs the reference's ${(c.refSerialMs / 1000).toFixed(1)} s; our run time − the reference's, per run: median ${m(a.overheadPerRun.median)}, p90 ${m(a.overheadPerRun.p90)}, max ${m(a.overheadPerRun.max)}. Slowest runs: ${a.slowest.map((s) => `${s.script} ${s.variant} ${m(s.ms)} (ref ${m(s.refMs)}, ${s.verdict})`).join('; ')}.`);
    L.push('');
  }
}
if (results.parse) {
  L.push('## Parser');
  L.push('');
  L.push('| figure | value | load avg at start | command |');
  L.push('| --- | --- | --- | --- |');
  L.push(`| parse throughput (peggy parser, whole corpus: ${results.parse.scripts} scripts, ${results.parse.lines} lines) | ${results.parse.linesPerS.toLocaleString('en-US')} lines/s (${results.parse.mibPerS} MiB/s) | ${results.parse.load} | \`node bench/parse.mjs\` |`);
  L.push('');
}
// The VM section is bench/vm.mjs's (a run of its own): kept as it is.
try {
  const old = readFileSync(join(HERE, 'RESULTS.md'), 'utf8');
  const [begin, end] = ['<!-- bench/vm.mjs: begin -->', '<!-- bench/vm.mjs: end -->'];
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  if (i >= 0 && j > i) L.push(old.slice(i, j + end.length), '');
} catch {
  /* no RESULTS.md yet */
}
writeFileSync(join(HERE, 'RESULTS.md'), L.join('\n'));
log('wrote bench/RESULTS.md');
