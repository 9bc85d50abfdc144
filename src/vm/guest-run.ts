// One command run in a guest booted from the kernel under test: the initramfs, the shares (the
// host root read-only; the kernel's modules; a read-write I/O folder and the output folders at
// their own paths), QEMU, and the guest's stdout/stderr streamed back as they are written.
// The temporary I/O folder is removed whatever happens.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { followFile } from './follow.js';
import { buildInitramfs, findBusybox, guestCommandScript, type GuestMount, type GuestPlan } from './initramfs.js';
import type { KernelUnderTest } from './kernel.js';
import { launchGuest, type LaunchResult } from './launcher.js';
import { bootModules, parseKernelConfig, parseModulesDep } from './modules.js';
import { hiddenInputFolders, outputFolders } from './options.js';
import { qemuArgs, shellLine, type Accel, type Share } from './qemu-args.js';

export interface GuestRun {
  kernel: KernelUnderTest;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  /** The command, run as root in the host's root filesystem (read-only), from `cwd`. */
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Host folders the command writes into, shared read-write at the same path. */
  outputDirs: readonly string[];
  /** Host folders the command reads (cwd, scripts): those under the guest's tmpfs are shared read-only. */
  inputDirs?: readonly string[];
  bootTimeoutMs: number;
  hangTimeoutMs: number;
  signal?: AbortSignal;
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
  /** Every console line, and QEMU's command line first, for --vm-verbose. */
  onConsoleLine?: (line: string) => void;
  onCommandLine?: (line: string) => void;
  /** Console transcript, then the guest's dmesg, written here. */
  logFile?: string;
  qemu?: string;
}

export const DEFAULT_QEMU = 'qemu-system-x86_64';

/** The modules the initramfs loads (host paths), checked against the kernel's config. */
export function bootModuleFiles(kernel: KernelUnderTest): string[] {
  const config = kernel.configFile ? parseKernelConfig(readFileSync(kernel.configFile, 'utf8')) : undefined;
  const dep = kernel.modulesDir ? parseModulesDep(readFileSync(join(kernel.modulesDir, 'modules.dep'), 'utf8')) : undefined;
  return bootModules(dep, config).map((m) => join(kernel.modulesDir!, m));
}

/**
 * The read-write I/O folder, the hidden inputs (read-only) and the outputs (read-write), each at
 * its own path, parents first: a folder shared inside another (the I/O folder inside a /tmp
 * shared again) is mounted over it, not hidden by it.
 */
export function guestMounts(io: string, inputs: readonly string[], outputs: readonly string[]): GuestMount[] {
  return [
    { tag: 'io', hostPath: io, readonly: false },
    ...inputs.map((p, i) => ({ tag: `in${i}`, hostPath: p, readonly: true })),
    ...outputs.map((p, i) => ({ tag: `out${i}`, hostPath: p, readonly: false })),
  ]
    .sort((a, b) => a.hostPath.length - b.hostPath.length)
    .map((m) => ({ ...m, guestPath: m.hostPath }));
}

export async function runInGuest(run: GuestRun): Promise<LaunchResult> {
  const modules = bootModuleFiles(run.kernel);
  const busybox = findBusybox();
  const qemu = run.qemu ?? DEFAULT_QEMU;
  const io = mkdtempSync(join(tmpdir(), 'tsdrill-vm-'));
  try {
    const outputs = outputFolders(run.outputDirs.map((d) => resolve(d)));
    for (const d of outputs) mkdirSync(d, { recursive: true });
    const inputs = hiddenInputFolders([run.cwd, ...(run.inputDirs ?? [])].map((d) => resolve(d)), outputs);
    const mounts = guestMounts(io, inputs, outputs);
    const shares: Share[] = [
      { tag: 'root', hostPath: '/', readonly: true },
      ...(run.kernel.modulesDir ? [{ tag: 'modules', hostPath: run.kernel.modulesDir, readonly: true }] : []),
      ...mounts,
    ];
    const plan: GuestPlan = {
      release: run.kernel.release,
      modules,
      modulesShared: run.kernel.modulesDir !== undefined,
      mounts,
      command: join(io, 'guest.sh'),
      kernelLog: join(io, 'kernel.log'),
      heartbeat: join(io, 'alive'),
      heartbeatSec: 5,
    };
    const initrd = join(io, 'initramfs.cpio');
    writeFileSync(initrd, buildInitramfs(plan, busybox));
    writeFileSync(plan.command, guestCommandScript({ cwd: run.cwd, env: run.env, argv: run.argv, stdout: join(io, 'stdout'), stderr: join(io, 'stderr') }));

    const args = qemuArgs({ qemu, accel: run.accel, cpus: run.cpus, memoryMiB: run.memoryMiB, kernel: run.kernel.image, initrd, append: [], shares });
    run.onCommandLine?.(shellLine([qemu, ...args]));
    const log = run.logFile ? resolve(run.logFile) : undefined;
    if (log) {
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, `# tsdrill: console of ${run.kernel.release} (${run.kernel.origin}), ${run.accel}\n`);
    }
    const out = followFile(join(io, 'stdout'), run.stdout);
    const errs = followFile(join(io, 'stderr'), run.stderr);
    try {
      const result = await launchGuest({
        qemu,
        args,
        bootTimeoutMs: run.bootTimeoutMs,
        hangTimeoutMs: run.hangTimeoutMs,
        heartbeatFile: plan.heartbeat,
        ...(run.signal ? { signal: run.signal } : {}),
        onConsoleLine: (line) => {
          run.onConsoleLine?.(line);
          if (log) appendFileSync(log, `${line}\n`);
        },
      });
      if (log && existsSync(plan.kernelLog)) appendFileSync(log, `# dmesg of the guest\n${readFileSync(plan.kernelLog, 'utf8')}`);
      return result;
    } finally {
      out.finish();
      errs.finish();
    }
  } finally {
    rmSync(io, { recursive: true, force: true });
  }
}
