// Test helpers of the VM launcher's tests.
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';

/** A bzImage head: "HdrS" at 0x202, kernel_version at 0x20e pointing (minus 0x200) at the string. */
export function fakeBzImage(version: string | undefined): Buffer {
  const b = Buffer.alloc(0x1000);
  b.write('HdrS', 0x202, 'latin1');
  if (version !== undefined) {
    b.writeUInt16LE(0x400 - 0x200, 0x20e);
    b.write(`${version}\0`, 0x400, 'latin1');
  }
  return b;
}

/**
 * The Debian kernel the boot tests use: $TSDRILL_VM_TEST_KERNEL (anything `--kernel` takes), else
 * the newest linux-image-*-amd64-unsigned apt knows (6.12 from bookworm-backports, else 6.1)
 * whose release is not the host's.
 */
export function debianTestKernel(): string {
  if (process.env.TSDRILL_VM_TEST_KERNEL) return process.env.TSDRILL_VM_TEST_KERNEL;
  const r = spawnSync('apt-cache', ['search', '--names-only', '^linux-image-[0-9].*-amd64-unsigned$'], { encoding: 'utf8' });
  const names = (r.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => /^linux-image-[0-9][^ ]*-amd64-unsigned$/.test(n) && !/-(cloud|rt)-amd64/.test(n))
    .filter((n) => n !== `linux-image-${release()}-unsigned`);
  const versionOf = (n: string) => n.replace(/^linux-image-/, '').split(/[.+-]/).map((x) => Number(x) || 0);
  names.sort((a, b) => {
    const [x, y] = [versionOf(a), versionOf(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  const newest = names.at(-1);
  if (!newest) throw new Error('no linux-image-*-amd64-unsigned package known to apt: run apt-get update (bookworm-backports for 6.12), or set TSDRILL_VM_TEST_KERNEL');
  return newest;
}
