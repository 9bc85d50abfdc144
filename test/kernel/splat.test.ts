// The splat recogniser on real kernel logs (test/fixtures/splats/README.md says where they come from).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseKmsgRecord, type KmsgRecord } from '../../src/kernel/kmsg.js';
import { kernelRecord, SplatRecognizer, splatHead, type Splat } from '../../src/kernel/splat.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/splats');

/** The records of a raw /dev/kmsg dump (dictionary lines, which start with a blank, dropped). */
function kmsgFixture(name: string): KmsgRecord[] {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  return text.split('\n').filter((l) => l && !l.startsWith(' ')).map((l) => parseKmsgRecord(l)!);
}

/** A `dmesg`-style text as kernel records at `level`, 10 µs apart. */
function logFixture(name: string, level = 3): KmsgRecord[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .replace(/\n$/, '')
    .split('\n')
    .map((text, i) => ({ facility: 0, level, seq: i, usec: 1_000_000 + i * 10, text }));
}

function recognise(records: readonly KmsgRecord[]): Splat[] {
  const r = new SplatRecognizer();
  return [...records.flatMap((x) => r.push(x)), ...r.flush()];
}

const kmsg612 = kmsgFixture('debian-6.12-test-module.kmsg');

describe('a Debian 6.12 kernel log with WARN, WARN_ON, an oops, BUG() and an NMI backtrace', () => {
  const splats = recognise(kmsg612);

  test('finds each splat once, of the right kind, and nothing in the boot log', () => {
    expect(splats.map((s) => [s.kind, s.title])).toEqual([
      ['WARNING', 'WARNING: CPU: 1 PID: 166 at /tmp/ka-vm/hdr/mod/splat_warn.c:9 splat_init+0x79/0xff0 [splat_warn]'],
      ['WARNING', 'WARNING: CPU: 1 PID: 168 at /tmp/ka-vm/hdr/mod/splat_warnon.c:11 splat_init+0x37/0xff0 [splat_warnon]'],
      ['BUG', 'BUG: kernel NULL pointer dereference, address: 0000000000000000'],
      ['BUG', 'kernel BUG at /tmp/ka-vm/hdr/mod/splat_bug.c:16!'],
      ['Call Trace', 'Call Trace:'],
      ['Call Trace', 'Call Trace:'],
    ]);
  });

  test("a WARN() is whole: from '[ cut here ]' and its message to '---[ end trace ]---'", () => {
    const lines = splats[0]!.text.split('\n');
    expect(lines[0]).toBe('------------[ cut here ]------------');
    expect(lines[1]).toBe('tsdrill splat fixture: WARN from a test module');
    expect(lines).toContain('Call Trace:');
    expect(lines).toContain(' do_one_initcall+0x5b/0x320');
    expect(lines.at(-1)).toBe('---[ end trace 0000000000000000 ]---');
    expect(lines).toHaveLength(50);
    expect(splats[0]!.text).not.toContain('taints kernel');
  });

  test("an oops keeps its '#PF', 'Oops:' lines and the registers it prints after the end line", () => {
    const lines = splats[2]!.text.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor write access in kernel mode',
      '#PF: error_code(0x0002) - not-present page',
      'PGD 2105067 P4D 0 ',
      'Oops: Oops: 0002 [#1] PREEMPT SMP NOPTI',
    ]);
    expect(lines).toContain('---[ end trace 0000000000000000 ]---');
    expect(lines.at(-2)).toBe('PKRU: 55555554');
    expect(lines.at(-1)).toBe('note: insmod[170] exited with irqs disabled');
    expect(splats[2]!.text).not.toContain('clocksource');
  });

  test('BUG() starts at its cut-here line', () => {
    expect(splats[3]!.text.split('\n').slice(0, 3)).toEqual([
      '------------[ cut here ]------------',
      'kernel BUG at /tmp/ka-vm/hdr/mod/splat_bug.c:16!',
      'Oops: invalid opcode: 0000 [#2] PREEMPT SMP NOPTI',
    ]);
  });

  test("a bare call trace takes the dump's header and reason before it, and ends with its stack", () => {
    const lines = splats[4]!.text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['NMI backtrace for cpu 1', expect.stringMatching(/^CPU: 1 UID: 0 PID: 165 Comm: sh /)]);
    expect(lines.at(-1)).toBe(' </TASK>');
    expect(splats[5]!.text.split('\n')[0]).toBe('NMI backtrace for cpu 0');
  });
});

describe('reports quoted in the kernel documentation', () => {
  test('KASAN: the whole report, between its two rules', () => {
    const records = logFixture('kasan-doc.log');
    const [s, ...rest] = recognise(records);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ kind: 'KASAN', title: 'BUG: KASAN: slab-out-of-bounds in kmalloc_oob_right+0xa8/0xbc [kasan_test]' });
    expect(s!.text).toBe(records.map((r) => r.text).join('\n'));
  });

  test('UBSAN (the older, ruled form): the whole report', () => {
    const records = logFixture('ubsan-doc.log');
    const splats = recognise(records);
    expect(splats.map((s) => s.kind)).toEqual(['UBSAN']);
    expect(splats[0]!.title).toBe('UBSAN: Undefined behaviour in ../include/linux/bitops.h:110:33');
    expect(splats[0]!.text).toBe(records.map((r) => r.text).join('\n'));
  });

  test('lockdep (suspicious RCU usage): from its rule to the end of its stack', () => {
    const records = logFixture('lockdep-rcu-doc.log', 4);
    const splats = recognise(records);
    expect(splats.map((s) => [s.kind, s.title])).toEqual([['lockdep', 'WARNING: suspicious RCU usage']]);
    expect(splats[0]!.text).toBe(records.map((r) => r.text).join('\n'));
  });

  test("kmemleak's report line is a splat of its own (the details are in debugfs)", () => {
    const line = 'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)';
    const splats = recognise([{ facility: 0, level: 6, seq: 1, usec: 1, text: line }, { facility: 0, level: 6, seq: 2, usec: 2, text: 'eth0: link up' }]);
    expect(splats).toEqual([{ kind: 'kmemleak', title: line, text: line }]);
  });
});

describe('what is not a splat', () => {
  test.each([
    [4, 'Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.'],
    [6, 'BUG: an informational line that only says BUG'],
    [4, 'WARNING: a driver message without the WARN() form'],
    [4, '------------[ cut here ]------------'],
  ])('level %i %j', (level, text) => {
    expect(splatHead(text, level)).toBeUndefined();
    expect(recognise([{ facility: 0, level, seq: 1, usec: 1, text }])).toEqual([]);
  });

  test('user-space records are ignored, whatever they say, unless they carry the selftest tag asked for', () => {
    const fake = { facility: 1, level: 4, seq: 1, usec: 1, text: 'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2' };
    expect(kernelRecord(fake)).toBeUndefined();
    const tagged = { ...fake, text: `tsdrill-selftest[abc]: ${fake.text}` };
    expect(kernelRecord(tagged)).toBeUndefined();
    expect(kernelRecord(tagged, 'other')).toBeUndefined();
    expect(kernelRecord(tagged, 'abc')).toEqual(fake);
    expect(kernelRecord({ ...fake, facility: 0 })).toEqual({ ...fake, facility: 0 });
  });
});

describe('where a splat without an end line ends', () => {
  const rec = (usec: number, text: string, level = 4): KmsgRecord => ({ facility: 0, level, seq: usec, usec, text });

  test('after a second of silence: a later line is not part of it', () => {
    const splats = recognise([rec(0, 'BUG: scheduling while atomic: x/1/0x00000002'), rec(10, 'Call Trace:'), rec(2_000_000, 'eth0: link up')]);
    expect(splats.map((s) => s.text)).toEqual(['BUG: scheduling while atomic: x/1/0x00000002\nCall Trace:']);
  });

  test('at 400 lines at most (a flood of traces)', () => {
    const r = new SplatRecognizer();
    const out = [r.push(rec(0, 'BUG: soft lockup - CPU#0 stuck for 22s!'))].flat();
    for (let i = 1; i < 1000 && out.length === 0; i++) out.push(...r.push(rec(i, ` frame_${i}+0x1/0x2`)));
    expect(out).toHaveLength(1);
    expect(out[0]!.text.split('\n')).toHaveLength(400);
  });

  test('a splat in progress is visible (the watch waits for it) and flush() returns it', () => {
    const r = new SplatRecognizer();
    expect(r.push(rec(0, '------------[ cut here ]------------'))).toEqual([]);
    expect(r.inSplat).toBe(false);
    expect(r.push(rec(5, 'WARNING: CPU: 0 PID: 7 at net/x.c:3 f+0x1/0x2'))).toEqual([]);
    expect(r.inSplat).toBe(true);
    expect(r.flush()).toEqual([{ kind: 'WARNING', title: 'WARNING: CPU: 0 PID: 7 at net/x.c:3 f+0x1/0x2', text: '------------[ cut here ]------------\nWARNING: CPU: 0 PID: 7 at net/x.c:3 f+0x1/0x2' }]);
    expect(r.inSplat).toBe(false);
  });
});
