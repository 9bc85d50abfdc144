// `tsdrill run --kernel K ...`: boots K in a QEMU guest whose root is the host's (read-only, 9p)
// and runs the same `tsdrill run ...` there (src/vm/guest-run.ts). TAP streams to our stdout, the
// guest's stderr to our stderr; --junit/--json/--pcap-dir land where asked, because their
// folders are shared read-write at the same path. Exit status: the guest run's (0, 1, 2), 4 when
// the kernel could not run the suite (boot failure, panic, hang), 130 on Ctrl-C.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kvmFailed, probeAccel, TCG_TOLERANCE_SCALE, type AccelChoice } from '../src/vm/accel.js';
import { DEFAULT_QEMU, runInGuest } from '../src/vm/guest-run.js';
import { InitramfsError, MARK } from '../src/vm/initramfs.js';
import { defaultCacheDir, KernelSpecError, resolveKernel, type KernelUnderTest } from '../src/vm/kernel.js';
import type { LaunchResult } from '../src/vm/launcher.js';
import { MissingFeatureError } from '../src/vm/modules.js';
import { guestEnv, splitVmArgs, VmUsageError } from '../src/vm/options.js';
import { parseArgs, UsageError } from './args.js';

/** Exit status when the kernel under test could not run the suite (boot failure, panic, hang). */
export const EXIT_VM_FAILED = 4;

const TSDRILL_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/tsdrill.js');
const err = (s: string) => process.stderr.write(`tsdrill: ${s}\n`);

export async function runInVm(argv: readonly string[]): Promise<number> {
  try {
    return await runChecked(argv);
  } catch (e) {
    // A bad --kernel is a usage error (2); a kernel that cannot boot this way fails the run (4).
    if (e instanceof VmUsageError || e instanceof KernelSpecError) throw new UsageError(e.message);
    if (e instanceof MissingFeatureError || e instanceof InitramfsError) {
      err(`error: ${e.message}`);
      return EXIT_VM_FAILED;
    }
    throw e;
  }
}

async function runChecked(argv: readonly string[]): Promise<number> {
  const { vm, rest } = splitVmArgs(argv);
  // The guest's command line is checked here first: a usage error needs no boot.
  const args = parseArgs(rest, vm.cpus);
  if (args.command !== 'run') throw new UsageError('--kernel goes with `tsdrill run`');
  if (args.currentNetns) throw new UsageError('--current-netns cannot be combined with --kernel');
  const kernel = await resolveKernel(vm.kernel, { cacheDir: defaultCacheDir(), say: err });
  const toleranceGiven = rest.some((a) => a === '--tolerance-scale' || a.startsWith('--tolerance-scale='));
  const outputDirs = [
    ...(args.junit ? [dirname(resolve(args.junit))] : []),
    ...(args.json ? [dirname(resolve(args.json))] : []),
    ...(args.pcapDir ? [resolve(args.pcapDir)] : []),
  ];

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let accel: AccelChoice = vm.accel ? { accel: vm.accel, reason: '--vm-accel tcg' } : probeAccel();
    for (let attempt = 0; ; attempt++) {
      const guestArgv = [...rest];
      if (accel.accel === 'tcg' && !toleranceGiven) guestArgv.splice(1, 0, '--tolerance-scale', String(TCG_TOLERANCE_SCALE));
      if (accel.accel === 'tcg')
        err(
          `${accel.reason ?? 'no KVM'}: booting ${kernel.release} under TCG (software emulation); ` +
            (toleranceGiven ? 'timing tolerances as --tolerance-scale says' : `timing tolerances x${TCG_TOLERANCE_SCALE} (--tolerance-scale overrides)`),
        );
      else err(`booting ${kernel.release} under KVM`);
      const started = Date.now();
      const onConsoleLine = (line: string) => {
        if (vm.verbose) process.stderr.write(`[vm] ${line}\n`);
        else if (line.startsWith(MARK.booted)) err(`guest ${line.slice('tsdrill-vm: '.length)} (QEMU start to init: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      };
      const result = await runInGuest({
        kernel,
        accel: accel.accel,
        cpus: vm.cpus,
        memoryMiB: vm.memoryMiB,
        argv: [process.execPath, TSDRILL_BIN, ...guestArgv],
        cwd: process.cwd(),
        env: guestEnv(process.env),
        outputDirs,
        inputDirs: args.paths.map((p) => (statSync(p, { throwIfNoEntry: false })?.isDirectory() ? resolve(p) : dirname(resolve(p)))),
        bootTimeoutMs: vm.bootTimeoutSec * 1000,
        hangTimeoutMs: vm.hangTimeoutSec * 1000,
        signal: abort.signal,
        stdout: (c) => process.stdout.write(c),
        stderr: (c) => process.stderr.write(c),
        onConsoleLine,
        ...(vm.verbose ? { onCommandLine: (l: string) => err(`${kernel.origin}: ${l}`) } : {}),
        ...(vm.logFile ? { logFile: vm.logFile } : {}),
        qemu: process.env.TSDRILL_QEMU || DEFAULT_QEMU,
      });
      if (accel.accel === 'kvm' && attempt === 0 && kvmFailed(result.outcome, result.bootMs !== undefined)) {
        accel = { accel: 'tcg', reason: `KVM failed (${firstLine(result.outcome)})` };
        continue;
      }
      return report(result, kernel);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function firstLine(o: LaunchResult['outcome']): string {
  return o.kind === 'qemu-exit' ? o.stderr.split('\n')[0] || `QEMU exit ${o.code ?? o.signal}` : o.kind;
}

function report(r: LaunchResult, kernel: KernelUnderTest): number {
  const o = r.outcome;
  if (o.kind === 'exited') return o.status;
  if (o.kind === 'interrupted') {
    err('interrupted: the guest was stopped');
    return 130;
  }
  const what =
    o.kind === 'init-error'
      ? `the guest could not start the run: ${o.message}`
      : o.kind === 'panic'
        ? `kernel panic: ${o.message}`
        : o.kind === 'boot-timeout'
          ? 'the guest did not boot in time (its init never said "booted")'
          : o.kind === 'hung'
            ? `the guest hung: no sign of life for ${o.silentSec} s`
            : `QEMU ended before the guest finished (${o.code !== null ? `exit ${o.code}` : o.signal})${o.stderr ? `: ${o.stderr}` : ''}` +
              (r.bootMs === undefined && r.consoleTail.length === 0 ? '; the kernel reset before printing anything: a corrupt or non-x86-64 image?' : '');
  err(`error: ${kernel.release} (${kernel.origin}): ${what}`);
  if (r.consoleTail.length) process.stderr.write(`--- last console lines ---\n${r.consoleTail.join('\n')}\n---\n`);
  return EXIT_VM_FAILED;
}
