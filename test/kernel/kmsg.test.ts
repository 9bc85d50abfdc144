// /dev/kmsg records: parsing, and a reader that starts at the end of the log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KmsgReader, parseKmsgRecord } from '../../src/kernel/kmsg.js';

describe('parseKmsgRecord', () => {
  test('a kernel record: facility 0, level, sequence, time and text', () => {
    expect(parseKmsgRecord('4,394,16754793,-;WARNING: CPU: 1 PID: 166 at x.c:9 f+0x79/0xff0\n')).toEqual({
      facility: 0,
      level: 4,
      seq: 394,
      usec: 16754793,
      text: 'WARNING: CPU: 1 PID: 166 at x.c:9 f+0x79/0xff0',
    });
  });

  test('a record written from user space has facility LOG_USER (1)', () => {
    expect(parseKmsgRecord('12,900,5,-;hello\n')).toMatchObject({ facility: 1, level: 4, text: 'hello' });
  });

  test("the kernel's \\xNN escapes are undone; dictionary lines and extra header fields are not text", () => {
    const r = parseKmsgRecord('6,1,2,-,caller=T1;a\\x09b \\x5c c\n SUBSYSTEM=net\n DEVICE=n2\n');
    expect(r).toMatchObject({ level: 6, seq: 1, usec: 2, text: 'a\tb \\ c' });
  });

  test.each(['', 'no header', 'x,1,2,-;text', '6,1;short header'])('%j is no record', (raw) => {
    expect(parseKmsgRecord(raw)).toBeUndefined();
  });
});

describe('KmsgReader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsdrill-kmsg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('open() names the failure (no such device)', () => {
    expect(() => KmsgReader.open(join(dir, 'missing'))).toThrow(/ENOENT/);
  });

  test('a regular file reads as one record, skipped by open(); then nothing more', () => {
    // A file gives its whole content to the first read, as /dev/kmsg gives one record: open()
    // drains it, as it drains the log written before the watch started.
    const f = join(dir, 'log');
    writeFileSync(f, '6,1,2,-;old record\n');
    const reader = KmsgReader.open(f);
    expect(reader.read()).toEqual({ records: [], lost: 0 });
    reader.close();
    expect(reader.read()).toEqual({ records: [], lost: 0 });
  });
});
