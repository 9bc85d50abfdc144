// Which runs a kernel splat is given to, and what it does to their results.
import { describe, expect, test } from 'vitest';
import type { KmsgBatch, KmsgRecord } from '../../src/kernel/kmsg.js';
import type { KernelSplat } from '../../src/report/result.js';
import { KernelLogWatch, withKernelSplats } from '../../runner/kernel-log-watch.js';
import { run } from '../report/helpers.js';

/** A kernel log that the test writes to: each read() returns what was logged since the last. */
class FakeLog {
  #queue: KmsgRecord[] = [];
  #seq = 0;
  closed = false;
  log(text: string, opts: { facility?: number; level?: number } = {}): void {
    this.#seq++;
    this.#queue.push({ facility: opts.facility ?? 0, level: opts.level ?? 4, seq: this.#seq, usec: this.#seq * 10, text });
  }
  warn(where: string): void {
    this.log('------------[ cut here ]------------');
    this.log(`WARNING: CPU: 0 PID: 1 at ${where} f+0x1/0x2`);
    this.log('Call Trace:');
    this.log('---[ end trace 0000000000000000 ]---');
  }
  read(): KmsgBatch {
    const records = this.#queue;
    this.#queue = [];
    return { records, lost: 0 };
  }
  close(): void {
    this.closed = true;
  }
}

const titles = (s: KernelSplat[]) => s.map((x) => [x.title, x.inFlight]);

describe('KernelLogWatch', () => {
  test('a splat goes to the run in flight, whole; a run before or after it gets none', async () => {
    const log = new FakeLog();
    const w = new KernelLogWatch(log);
    await w.begin('a.pkt ipv4');
    expect(await w.end('a.pkt ipv4')).toEqual([]);
    await w.begin('b.pkt ipv4');
    log.warn('net/x.c:1');
    const got = await w.end('b.pkt ipv4');
    expect(titles(got)).toEqual([['WARNING: CPU: 0 PID: 1 at net/x.c:1 f+0x1/0x2', []]]);
    expect(got[0]!.text.split('\n')).toHaveLength(4);
    await w.begin('c.pkt ipv4');
    expect(await w.end('c.pkt ipv4')).toEqual([]);
    expect(w.close()).toEqual([]);
    expect(log.closed).toBe(true);
  });

  test('with parallel runs, every run in flight gets it and is told which others were', async () => {
    const log = new FakeLog();
    const w = new KernelLogWatch(log);
    await w.begin('a.pkt ipv4');
    await w.begin('b.pkt ipv6');
    log.warn('net/x.c:2');
    await w.begin('late.pkt ipv4'); // started after the splat was logged: not in flight then
    expect(titles(await w.end('a.pkt ipv4'))).toEqual([[expect.stringContaining('net/x.c:2'), ['b.pkt ipv6']]]);
    expect(titles(await w.end('b.pkt ipv6'))).toEqual([[expect.stringContaining('net/x.c:2'), ['a.pkt ipv4']]]);
    expect(await w.end('late.pkt ipv4')).toEqual([]);
    w.close();
  });

  test('a splat still being logged when its run ends is waited for, not cut', async () => {
    const log = new FakeLog();
    const w = new KernelLogWatch(log);
    await w.begin('a.pkt ipv4');
    log.log('BUG: sleeping function called from invalid context at net/x.c:3');
    log.log('Call Trace:');
    setTimeout(() => log.log(' some_frame+0x1/0x2'), 10);
    const [s] = await w.end('a.pkt ipv4');
    expect(s!.text).toBe('BUG: sleeping function called from invalid context at net/x.c:3\nCall Trace:\n some_frame+0x1/0x2');
    w.close();
  });

  test('between runs: reported by close(), given to no run; user-space writes are never splats', async () => {
    const log = new FakeLog();
    const w = new KernelLogWatch(log);
    log.warn('net/x.c:4');
    await w.begin('a.pkt ipv4');
    log.log('WARNING: CPU: 0 PID: 1 at fake.c:1 f+0x1/0x2', { facility: 1 });
    expect(await w.end('a.pkt ipv4')).toEqual([]);
    expect(w.close().map((s) => s.kind)).toEqual(['WARNING']);
  });

  test("the selftest tag admits the test suite's own user-space line, and only with that tag", async () => {
    const log = new FakeLog();
    const w = new KernelLogWatch(log, 'n0nce');
    await w.begin('a.pkt ipv4');
    log.log('tsdrill-selftest[other]: WARNING: CPU: 0 PID: 1 at fake.c:1 f+0x1/0x2', { facility: 1 });
    log.log('tsdrill-selftest[n0nce]: WARNING: CPU: 0 PID: 1 at fake.c:2 f+0x1/0x2', { facility: 1 });
    expect(titles(await w.end('a.pkt ipv4'))).toEqual([['WARNING: CPU: 0 PID: 1 at fake.c:2 f+0x1/0x2', []]]);
    w.close();
  });
});

describe('withKernelSplats', () => {
  const splat: KernelSplat = { kind: 'WARNING', title: 'WARNING: CPU: 0 PID: 1 at net/x.c:1 f+0x1/0x2', text: 'a\nb', inFlight: ['b.pkt ipv6'] };

  test('no splat: the result as it was', () => {
    const r = run('a.pkt', 'ipv4', 'pass');
    expect(withKernelSplats(r, [])).toBe(r);
  });

  test.each(['pass', 'skip'] as const)('a %s becomes a fail that names the splat and the other runs in flight', (verdict) => {
    const r = withKernelSplats(run('s/a.pkt', 'ipv4', verdict), [splat]);
    expect(r.verdict).toBe('fail');
    expect(r.skipReason).toBeUndefined();
    expect(r.kernelSplats).toEqual([splat]);
    expect(r.error).toMatchObject({ kind: 'kernel-splat', message: `kernel splat while the run was in flight: ${splat.title}`, legacy: `a.pkt: kernel splat: ${splat.title}` });
    expect(r.error!.framed).toContain('1 other run was in flight, it may come from any of them: b.pkt ipv6');
  });

  test('a run that failed already keeps its error; the splat is added beside it', () => {
    const before = run('a.pkt', 'ipv4', 'fail');
    const r = withKernelSplats(before, [splat]);
    expect(r).toEqual({ ...before, kernelSplats: [splat] });
  });
});
