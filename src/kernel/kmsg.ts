// The kernel log as /dev/kmsg gives it: one record per read(), `prio,seq,usec,flags;text` then
// optional ` KEY=value` dictionary lines (Documentation/ABI/testing/dev-kmsg). Plain node:fs, no
// FFI: the runner (a long-lived process that loads no koffi) reads it between and around runs.
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface KmsgRecord {
  /** syslog facility: 0 (LOG_KERN) only for the kernel's own records; writes from user space get 1 (LOG_USER) or more. */
  facility: number;
  /** syslog level, 0 (emerg) to 7 (debug). */
  level: number;
  seq: number;
  /** Microseconds since boot (the printk clock). */
  usec: number;
  /** The message, with the kernel's `\xNN` escapes undone. */
  text: string;
}

/** Facility of the kernel's own records: user space cannot write it (devkmsg_write forbids it). */
export const LOG_KERN = 0;

/** Parses one record as read from /dev/kmsg; undefined if it is not one. */
export function parseKmsgRecord(raw: string): KmsgRecord | undefined {
  const semi = raw.indexOf(';');
  if (semi < 0) return undefined;
  const [prio, seq, usec] = raw.slice(0, semi).split(',');
  if (!/^\d+$/.test(prio ?? '') || !/^\d+$/.test(seq ?? '') || !/^\d+$/.test(usec ?? '')) return undefined;
  const p = Number(prio);
  // The message ends at the first newline; dictionary lines (` KEY=value`) follow it.
  const body = raw.slice(semi + 1).split('\n')[0]!;
  const text = body.replace(/\\x([0-9a-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return { facility: p >> 3, level: p & 7, seq: Number(seq), usec: Number(usec), text };
}

/** What a read pass found: new records and how many were lost to the ring buffer wrapping. */
export interface KmsgBatch {
  records: KmsgRecord[];
  lost: number;
}

/**
 * A non-blocking reader of /dev/kmsg that starts at the end of the log: `read()` returns the
 * records logged since the previous call (or since `open()`).
 */
export class KmsgReader {
  readonly #buf = Buffer.alloc(16 * 1024);
  #fd: number | undefined;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Opens /dev/kmsg (or `path`) and skips what is already logged. Throws the open error (ENOENT
   * without the device, EACCES/EPERM without CAP_SYSLOG when dmesg_restrict is set).
   */
  static open(path = '/dev/kmsg'): KmsgReader {
    const reader = new KmsgReader(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
    reader.read(); // drained, not kept: only what comes after matters
    return reader;
  }

  /** Every record logged since the last read (never blocks). */
  read(): KmsgBatch {
    const batch: KmsgBatch = { records: [], lost: 0 };
    if (this.#fd === undefined) return batch;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, this.#buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return batch;
        // The ring buffer overwrote records we had not read yet; the next read goes on after them.
        if (code === 'EPIPE') {
          batch.lost++;
          continue;
        }
        throw e;
      }
      if (n === 0) return batch;
      const r = parseKmsgRecord(this.#buf.toString('utf8', 0, n));
      if (r) batch.records.push(r);
    }
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
