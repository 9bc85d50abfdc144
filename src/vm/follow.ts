// Streams a file the guest writes (over 9p) to one of our streams while it grows: the guest's
// stdout and stderr come out on the host as they are written, not when the guest ends.
import { closeSync, openSync, readSync } from 'node:fs';

export interface Follower {
  /** Reads what is left and stops. */
  finish(): void;
}

export function followFile(path: string, write: (chunk: Buffer) => void, intervalMs = 200): Follower {
  let fd: number | undefined;
  let offset = 0;
  const buf = Buffer.alloc(64 * 1024);
  const drain = () => {
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return;
      }
    }
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n <= 0) return;
      offset += n;
      write(Buffer.from(buf.subarray(0, n)));
    }
  };
  const timer = setInterval(drain, intervalMs);
  return {
    finish() {
      clearInterval(timer);
      drain();
      if (fd !== undefined) closeSync(fd);
    },
  };
}
