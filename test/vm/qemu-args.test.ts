import { describe, expect, it } from 'vitest';
import { qemuArgs, shellLine, type QemuSpec } from '../../src/vm/qemu-args.js';

const spec: QemuSpec = {
  qemu: 'qemu-system-x86_64',
  accel: 'tcg',
  cpus: 2,
  memoryMiB: 2048,
  kernel: '/k/vmlinuz',
  initrd: '/tmp/io/initramfs.cpio',
  append: ['tsdrill.debug'],
  shares: [
    { tag: 'root', hostPath: '/', readonly: true },
    { tag: 'io', hostPath: '/tmp/a,b', readonly: false },
  ],
};

describe('qemuArgs', () => {
  it('is QEMU options a person can read: machine, accel, CPU, memory, kernel, console, shares', () => {
    expect(qemuArgs(spec)).toEqual([
      '-name', 'tsdrill',
      '-machine', 'q35',
      '-accel', 'tcg',
      '-cpu', 'max',
      '-smp', '2',
      '-m', '2048M',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-serial', 'stdio',
      '-kernel', '/k/vmlinuz',
      '-initrd', '/tmp/io/initramfs.cpio',
      '-append', 'console=ttyS0 panic=-1 loglevel=4 rdinit=/init tsdrill.debug',
      '-virtfs', 'local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap',
      // QEMU's option syntax doubles a comma inside a value.
      '-virtfs', 'local,path=/tmp/a,,b,mount_tag=io,security_model=none,readonly=off,multidevs=remap',
    ]);
  });
  it("uses the host's CPU under KVM", () => {
    const a = qemuArgs({ ...spec, accel: 'kvm' });
    expect(a.slice(a.indexOf('-accel'), a.indexOf('-accel') + 4)).toEqual(['-accel', 'kvm', '-cpu', 'host']);
  });
  it('refuses a 9p tag QEMU would misread', () => {
    expect(() => qemuArgs({ ...spec, shares: [{ tag: 'a,b', hostPath: '/', readonly: true }] })).toThrow(/bad 9p tag/);
  });
  it('prints a shell line that quotes only what needs it', () => {
    expect(shellLine(['qemu-system-x86_64', '-append', 'console=ttyS0 panic=-1', "it's"])).toBe(`qemu-system-x86_64 -append 'console=ttyS0 panic=-1' 'it'\\''s'`);
  });
});
