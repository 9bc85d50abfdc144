// The QEMU command line for one guest: a thin layer over QEMU's own options (as virtme-ng is), so
// that `--vm-verbose` shows a command a person can read, copy and run. Pure.

export type Accel = 'kvm' | 'tcg';

/** A host folder the guest mounts over virtio-9p, under `tag`. */
export interface Share {
  tag: string;
  hostPath: string;
  readonly: boolean;
}

export interface QemuSpec {
  /** qemu-system-x86_64, or a path to it. */
  qemu: string;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  /** Kernel command line words. */
  append: readonly string[];
  shares: readonly Share[];
}

/** The kernel command line every guest gets before the caller's words. */
export const BASE_APPEND = [
  'console=ttyS0', // the console is the first serial port, which QEMU connects to its stdout
  'panic=-1', // a panic reboots at once, and -no-reboot turns that into QEMU exiting
  'loglevel=4', // warnings and worse on the console (splats, panics); the rest in dmesg
  'rdinit=/init',
];

export function qemuArgs(spec: QemuSpec): string[] {
  if (spec.shares.some((s) => /[,=\s]/.test(s.tag))) throw new Error(`bad 9p tag in ${spec.shares.map((s) => s.tag).join(' ')}`);
  const args = [
    '-name', 'tsdrill',
    '-machine', 'q35',
    '-accel', spec.accel,
    // KVM: the host's CPU as it is; TCG: every feature QEMU can emulate (node needs SSE4 and up).
    '-cpu', spec.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(spec.cpus),
    '-m', `${spec.memoryMiB}M`,
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-serial', 'stdio',
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', [...BASE_APPEND, ...spec.append].join(' '),
  ];
  for (const s of spec.shares) {
    // A comma in a path is written twice in QEMU's option syntax.
    const path = s.hostPath.replace(/,/g, ',,');
    args.push('-virtfs', `local,path=${path},mount_tag=${s.tag},security_model=none,readonly=${s.readonly ? 'on' : 'off'},multidevs=remap`);
  }
  return args;
}

/** The command as one shell line (each word quoted only where needed), for --vm-verbose. */
export function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
