// `tsdrill run --kernel K ...`: the VM's own options, taken out of the command line; the rest is
// the guest's `tsdrill run` command line, unchanged. Pure.
import type { Accel } from './qemu-args.js';

export interface VmOptions {
  kernel: string;
  verbose: boolean;
  accel?: Accel;
  cpus: number;
  memoryMiB: number;
  bootTimeoutSec: number;
  hangTimeoutSec: number;
  /** Write the guest's console and kernel log (dmesg) here. */
  logFile?: string;
}

export class VmUsageError extends Error {
  override name = 'VmUsageError';
}

export const VM_DEFAULTS = { cpus: 2, memoryMiB: 2048, bootTimeoutSec: 120, hangTimeoutSec: 120 } as const;

const WITH_VALUE = ['kernel', 'vm-accel', 'vm-cpus', 'vm-memory', 'vm-boot-timeout', 'vm-hang-timeout', 'vm-log'] as const;

/** True when the command line asks for a VM (`--kernel` anywhere among the options). */
export function wantsVm(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--kernel' || a.startsWith('--kernel='));
}

export function splitVmArgs(argv: readonly string[]): { vm: VmOptions; rest: string[] } {
  const rest: string[] = [];
  const values = new Map<string, string>();
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--vm-verbose') {
      verbose = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!name || !(WITH_VALUE as readonly string[]).includes(name)) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new VmUsageError(`option --${name} requires a value`);
    if (values.has(name)) throw new VmUsageError(`option --${name} given twice`);
    values.set(name, value);
  }
  const kernel = values.get('kernel');
  if (!kernel) throw new VmUsageError('--kernel requires a kernel: an image, a built kernel tree or a Debian package');
  const accel = values.get('vm-accel');
  if (accel !== undefined && accel !== 'kvm' && accel !== 'tcg') throw new VmUsageError(`bad --vm-accel: ${accel} (expected kvm or tcg)`);
  const num = (name: string, dflt: number) => {
    const v = values.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new VmUsageError(`bad --${name}: ${v} (expected a positive integer)`);
    return n;
  };
  const vm: VmOptions = {
    kernel,
    verbose,
    cpus: num('vm-cpus', VM_DEFAULTS.cpus),
    memoryMiB: num('vm-memory', VM_DEFAULTS.memoryMiB),
    bootTimeoutSec: num('vm-boot-timeout', VM_DEFAULTS.bootTimeoutSec),
    hangTimeoutSec: num('vm-hang-timeout', VM_DEFAULTS.hangTimeoutSec),
    ...(accel ? { accel } : {}),
    ...(values.has('vm-log') ? { logFile: values.get('vm-log')! } : {}),
  };
  return { vm, rest };
}

const inside = (d: string, o: string) => o !== d && (o === '/' || d.startsWith(`${o}/`));
const trimSlash = (d: string) => d.replace(/\/+$/, '') || '/';

/** Folders the guest writes results into, each shared read-write at its own path: nested ones dropped. */
export function outputFolders(dirs: readonly string[]): string[] {
  const unique = [...new Set(dirs.map(trimSlash))].sort();
  return unique.filter((d) => !unique.some((o) => inside(d, o)));
}

/** Where the guest mounts its own tmpfs over the host's root: what is there must be shared again. */
export const GUEST_TMPFS = ['/tmp', '/run'] as const;

/**
 * Folders the guest reads (the working directory, the scripts' folders) that its tmpfs on /tmp or
 * /run would hide: shared read-only at their own path; nested ones, and those inside an output
 * folder (shared anyway), dropped.
 */
export function hiddenInputFolders(dirs: readonly string[], outputs: readonly string[]): string[] {
  const hidden = [...new Set(dirs.map(trimSlash))].filter((d) => GUEST_TMPFS.some((t) => d === t || d.startsWith(`${t}/`))).sort();
  return hidden.filter((d) => !hidden.some((o) => inside(d, o)) && !outputs.some((o) => o === d || inside(d, o)));
}

/** The guest's environment: what a run reads from the host's, nothing session-specific. */
export function guestEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keep = /^(PATH|LANG|LC_[A-Z]+|TZ|CI|NO_COLOR|FORCE_COLOR|TSDRILL_[A-Z0-9_]+)$/;
  const out: Record<string, string> = { HOME: '/root', TMPDIR: '/tmp', TERM: 'dumb' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && keep.test(k)) out[k] = v;
  out.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return out;
}
