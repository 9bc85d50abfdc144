// A newc ("070701") cpio archive, the format the kernel unpacks as an initramfs. Written here
// rather than by cpio(1) so that device nodes and modes need no root and no staging folder.

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;
const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function header(ino: number, mode: number, size: number, nameSize: number, rdev: [number, number]): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const fields = [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0];
  return '070701' + fields.map(hex8).join('');
}

/** The archive's bytes: entries in the order given (parents before children), then the trailer. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  const record = (ino: number, mode: number, name: string, data: Uint8Array, rdev: [number, number] = [0, 0]) => {
    const nameBytes = Buffer.from(name + '\0');
    push(Buffer.from(header(ino, mode, data.length, nameBytes.length, rdev), 'ascii'));
    push(nameBytes);
    push(Buffer.alloc(pad4(offset)));
    push(Buffer.from(data));
    push(Buffer.alloc(pad4(offset)));
  };
  entries.forEach((e, i) => {
    const name = e.path.replace(/^\/+/, '');
    if (!name) throw new Error(`cpio: empty path`);
    const ino = i + 1;
    if (e.kind === 'dir') record(ino, S_IFDIR | (e.mode ?? 0o755), name, new Uint8Array());
    else if (e.kind === 'file') record(ino, S_IFREG | (e.mode ?? 0o644), name, e.data);
    else if (e.kind === 'symlink') record(ino, S_IFLNK | 0o777, name, Buffer.from(e.target));
    else record(ino, S_IFCHR | (e.mode ?? 0o600), name, new Uint8Array(), [e.major, e.minor]);
  });
  record(0, 0, 'TRAILER!!!', new Uint8Array());
  return Buffer.concat(parts);
}
