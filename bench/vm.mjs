// VM measurements: boot time, per-run overhead and the injection timing error inside a guest
// booted by `tsdrill run --kernel` (src/vm/), next to the same figures on the host.
//
//   npm run build && node bench/vm.mjs --kernel K [--boots 3] [--packets 300] [--accel tcg|kvm]
//
// K is what `--kernel` takes (a Debian kernel package name or .deb, an image, a tree). Writes
// bench/out/vm.json and the "VM" section of bench/RESULTS.md (between its markers; bench/run.mjs
// keeps that section when it rewrites the file). Not part of `npm run bench`: each guest boot
// costs seconds to minutes under TCG.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtUs, load, machine, summarize } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const OUT = join(HERE, 'out');
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const log = (l) => process.stderr.write(`[bench vm ${new Date().toISOString().slice(11, 19)}] ${l}\n`);
const dist = (p) => pathToFileURL(join(ROOT, 'dist', p)).href;

const { resolveKernel, defaultCacheDir } = await import(dist('src/vm/kernel.js'));
const { runInGuest } = await import(dist('src/vm/guest-run.js'));
const { probeAccel, TCG_TOLERANCE_SCALE } = await import(dist('src/vm/accel.js'));
const { guestEnv } = await import(dist('src/vm/options.js'));

const kernelArg = flag('--kernel', process.env.TSDRILL_VM_KERNEL);
if (!kernelArg) {
  process.stderr.write('usage: node bench/vm.mjs --kernel K [--boots N] [--packets N] [--accel tcg|kvm]\n');
  process.exit(2);
}
const boots = Number(flag('--boots', 3));
const packets = Number(flag('--packets', 300));
const accel = flag('--accel', probeAccel().accel);
mkdirSync(OUT, { recursive: true });
const kernel = await resolveKernel(kernelArg, { cacheDir: defaultCacheDir(), say: log });
log(`${kernel.release} (${kernel.origin}) under ${accel}`);

/** Runs argv in a guest; returns its stdout, the launch result and the wall time. */
async function guest(argv, outputDirs = []) {
  const chunks = [];
  const t0 = Date.now();
  const r = await runInGuest({
    kernel, accel, cpus: 2, memoryMiB: 2048, argv, cwd: ROOT, env: guestEnv(process.env), outputDirs,
    bootTimeoutMs: 600_000, hangTimeoutMs: 600_000, stdout: (c) => chunks.push(c), stderr: (c) => process.stderr.write(c),
  });
  const wallMs = Date.now() - t0;
  if (r.outcome.kind !== 'exited') throw new Error(`guest failed: ${JSON.stringify(r.outcome)}\n${r.consoleTail.join('\n')}`);
  return { stdout: Buffer.concat(chunks).toString(), r, wallMs, guestBootS: Number(/booted in ([\d.]+) s/.exec(r.bootLine ?? '')?.[1]) };
}
function host(argv) {
  const t0 = Date.now();
  const p = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return { stdout: p.stdout, wallMs: Date.now() - t0, status: p.status };
}

const results = { date: new Date().toISOString(), machine: machine(), loadAtStart: load(), kernel: kernel.release, origin: kernel.origin, accel, toleranceScale: accel === 'tcg' ? TCG_TOLERANCE_SCALE : 1 };

// 1. Boot: QEMU start to the init's "booted" line (the host root mounted), and to QEMU's exit.
results.boot = [];
for (let i = 0; i < boots; i++) {
  const l = load();
  const g = await guest(['/bin/true']);
  results.boot.push({ bootMs: g.r.bootMs, wallMs: g.wallMs, guestUptimeS: g.guestBootS, load: l });
  log(`boot ${i + 1}/${boots}: booted after ${g.r.bootMs} ms (guest uptime ${g.guestBootS} s), QEMU exited after ${g.wallMs} ms (load ${l})`);
}

// 2. Start-up: `node -e 0` five times, in the guest and on the host.
const nodeLoop = ['/bin/sh', '-c', `for i in 1 2 3 4 5; do s=$(date +%s%N); ${process.execPath} -e 0; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); done`];
const nums = (s) => s.trim().split('\n').map(Number).filter(Number.isFinite);
results.nodeStart = { guest: nums((await guest(nodeLoop)).stdout), host: nums(host(nodeLoop).stdout), load: load() };
log(`node -e 0: guest ${results.nodeStart.guest.join(', ')} ms; host ${results.nodeStart.host.join(', ')} ms`);

// 3. Per run: one script in its three IP variants, -j 1, in the guest and on the host.
const script = 'scripts/tcp/connect-refused.pkt';
const tsdrill = join(ROOT, 'bin/tsdrill.js');
const runArgs = (json) => [process.execPath, tsdrill, 'run', '-j', '1', '--json', json, script];
const readRuns = (f) => JSON.parse(readFileSync(f, 'utf8')).runs;
{
  const l = load();
  const g = await guest(['/bin/sh', '-c', `s=$(date +%s%N); ${runArgs(join(OUT, 'vm-run-guest.json')).join(' ')} >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`], [OUT]);
  const h = host(runArgs(join(OUT, 'vm-run-host.json')));
  const gr = readRuns(join(OUT, 'vm-run-guest.json'));
  const hr = readRuns(join(OUT, 'vm-run-host.json'));
  results.perRun = {
    script,
    load: l,
    guest: { tsdrillWallMs: Number(g.stdout.trim()), runMs: gr.map((r) => r.durationMs), verdicts: gr.map((r) => r.verdict), kernel: gr[0]?.kernel, vmWallMs: g.wallMs },
    host: { tsdrillWallMs: h.wallMs, runMs: hr.map((r) => r.durationMs), verdicts: hr.map((r) => r.verdict), kernel: hr[0]?.kernel },
  };
  log(`per run: guest ${JSON.stringify(results.perRun.guest)}; host ${JSON.stringify(results.perRun.host)}`);
}

// 4. Injection timing error: bench/timing.mjs (interp only, idle and with one CPU hog).
const timingArgs = (json) => [process.execPath, join(HERE, 'timing.mjs'), '--packets', String(packets), '--modes', 'interp', '--hogs', '1', '--json', json];
{
  results.timing = {};
  results.timing.loadGuest = load();
  await guest(timingArgs(join(OUT, 'vm-timing-guest.json')), [OUT]);
  results.timing.loadHost = load();
  host(timingArgs(join(OUT, 'vm-timing-host.json')));
  for (const where of ['guest', 'host']) {
    const t = JSON.parse(readFileSync(join(OUT, `vm-timing-${where}.json`), 'utf8'));
    results.timing[where] = t.conditions.map((c) => ({ cond: c.cond, loadBefore: c.loadBefore, error: c.error, gapError: c.gapError, scriptError: c.raw.error }));
  }
}
results.finished = new Date().toISOString();
writeFileSync(join(OUT, 'vm.json'), JSON.stringify(results, null, 1));

// ---------------------------------------------------------------- the RESULTS.md section
export const VM_BEGIN = '<!-- bench/vm.mjs: begin -->';
export const VM_END = '<!-- bench/vm.mjs: end -->';
const med = (a) => summarize(a).median;
const L = [VM_BEGIN, '## VM (`tsdrill run --kernel`)', ''];
L.push(`Written by \`node bench/vm.mjs --kernel ${kernelArg} --boots ${boots} --packets ${packets}\` (not part of \`npm run bench\`), ${results.date} to ${results.finished}: ${results.kernel} (${results.origin}) booted under **${accel.toUpperCase()}**${accel === 'tcg' ? ' (no KVM on this machine)' : ''}, 2 vCPUs, 2 GiB, root = the host's over virtio-9p; host ${results.machine.nproc} cores, Linux ${results.machine.kernel}. **Other sessions were loading this machine**: the load average is given with each figure (${results.machine.nproc} cores).`);
L.push('');
L.push('| figure | guest | host | load avg at start |');
L.push('| --- | --- | --- | --- |');
const bootMs = results.boot.map((b) => b.bootMs);
L.push(`| boot: QEMU start → init has mounted the host root (median of ${boots}; all) | ${(med(bootMs) / 1000).toFixed(1)} s (${bootMs.map((v) => (v / 1000).toFixed(1)).join(', ')} s) | – | ${results.boot[0].load} |`);
L.push(`| guest uptime at that point (median) | ${med(results.boot.map((b) => b.guestUptimeS)).toFixed(1)} s | – | |`);
L.push(`| whole VM for \`/bin/true\` (QEMU start → exit, median) | ${(med(results.boot.map((b) => b.wallMs)) / 1000).toFixed(1)} s | – | |`);
L.push(`| \`node -e 0\` (median of 5) | ${med(results.nodeStart.guest)} ms | ${med(results.nodeStart.host)} ms | ${results.nodeStart.load} |`);
const p = results.perRun;
L.push(`| \`tsdrill run -j 1 ${p.script}\` (3 runs), wall | ${(p.guest.tsdrillWallMs / 1000).toFixed(1)} s (whole VM: ${(p.guest.vmWallMs / 1000).toFixed(1)} s) | ${(p.host.tsdrillWallMs / 1000).toFixed(1)} s | ${p.load} |`);
L.push(`| the same, one run's \`durationMs\` (median) | ${med(p.guest.runMs)} ms (${p.guest.verdicts.join(', ')}) | ${med(p.host.runMs)} ms (${p.host.verdicts.join(', ')}) | |`);
for (const cond of ['idle', 'load']) {
  const g = results.timing.guest.find((c) => c.cond === cond);
  const h = results.timing.host.find((c) => c.cond === cond);
  const fmt = (c) => `median ${fmtUs(c.error.median)}, p90 ${fmtUs(c.error.p90)}, p99 ${fmtUs(c.error.p99)}, max ${fmtUs(c.error.max)}`;
  L.push(`| injection error, ${packets} SYNs, ${cond === 'idle' ? 'no hog' : '1 CPU hog (in the guest / on the host)'} | ${fmt(g)} | ${fmt(h)} | guest's own ${g.loadBefore} / host ${h.loadBefore} (host during the guest run: ${results.timing.loadGuest}) |`);
}
L.push('');
L.push(`Injection error as in *Injection timing* above (\`bench/timing.mjs --modes interp\`, run inside the guest and then on the host). Timing tolerances under TCG are scaled x${TCG_TOLERANCE_SCALE} by default (\`--tolerance-scale\` overrides): see the note in src/vm/accel.ts.`);
L.push(VM_END);
const resultsMd = join(HERE, 'RESULTS.md');
const old = readFileSync(resultsMd, 'utf8');
const i = old.indexOf(VM_BEGIN);
const j = old.indexOf(VM_END);
const section = L.join('\n');
writeFileSync(resultsMd, i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + VM_END.length) : `${old.trimEnd()}\n\n${section}\n`);
log('wrote bench/out/vm.json and the VM section of bench/RESULTS.md');
