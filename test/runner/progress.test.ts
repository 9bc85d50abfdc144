import { describe, expect, it } from 'vitest';
import { createProgress, isCi } from '../../runner/progress.js';

function fakeStream(isTTY: boolean, columns = 120) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (s: string) => writes.push(s) };
}
const CLEAR = '\r\x1b[K';

describe('createProgress', () => {
  it('is a no-op when the stream is not a TTY, in CI, or on a dumb terminal', () => {
    for (const [tty, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { CI: '1' }],
      [true, { TERM: 'dumb' }],
    ] as const) {
      const s = fakeStream(tty);
      const p = createProgress(s, 3, { env, tickMs: 0 });
      expect(p.enabled).toBe(false);
      p.end(p.start('a.pkt ipv4'), { verdict: 'fail' });
      p.render();
      p.finish();
      expect(p.text()).toBe('');
      expect(s.writes).toEqual([]);
    }
    expect(createProgress(fakeStream(true), 3, { env: { CI: 'false' }, tickMs: 0 }).enabled).toBe(true);
    expect(createProgress(fakeStream(true), 3, { env: { CI: '' }, tickMs: 0 }).enabled).toBe(true);
  });

  it('shows done/total, failures, ETA from mean duration and parallelism, and the slowest running script', () => {
    let t = 0;
    const s = fakeStream(true);
    const p = createProgress(s, 10, { env: {}, jobs: 2, now: () => t, tickMs: 0 });
    expect(p.enabled).toBe(true);
    const a = p.start('mp_capable/a.pkt ipv4');
    expect(s.writes).toEqual([`${CLEAR}[ 0/10] 0% · 0 failed · ETA -- · 1 running, slowest mp_capable/a.pkt ipv4 0ms`]);
    t = 1000;
    const b = p.start('mp_join/b.pkt ipv6');
    t = 4000;
    p.end(b, { verdict: 'pass', durationMs: 3000 });
    // Mean 3 s; 8 not started (24 s of work) + a.pkt has run 4 s, more than the mean (0 s left): 24 s / 2 jobs.
    expect(s.writes.at(-1)).toBe(`${CLEAR}[ 1/10] 10% · 0 failed · ETA 12.0s · 1 running, slowest mp_capable/a.pkt ipv4 4.0s`);
    const c = p.start('add_addr/c.pkt ipv4');
    t = 5000;
    p.end(a, { verdict: 'timeout' });
    // a took 5 s (since its start): mean 4 s; 7 not started (28 s) + c has run 1 s (3 s left) = 31 s / 2.
    expect(p.text()).toBe('[ 2/10] 20% · 1 failed · ETA 15.5s · 1 running, slowest add_addr/c.pkt ipv4 1.0s');
    p.end(c, { verdict: 'flaky', durationMs: 1000 });
    expect(p.text()).toBe('[ 3/10] 30% · 1 failed · ETA 10.5s');
  });

  it('truncates to the terminal width so \\r can redraw it', () => {
    const s = fakeStream(true, 30);
    const p = createProgress(s, 5, { env: {}, now: () => 0, tickMs: 0 });
    p.start('a/very/long/script/name/that/does/not/fit.pkt ipv4-mapped-ipv6');
    expect(p.text()).toBe('[0/5] 0% · 0 failed · ETA --…');
    expect(p.text().length).toBe(29);
  });

  it('clear() erases the line once, finish() erases it and stops drawing', () => {
    const s = fakeStream(true);
    const p = createProgress(s, 2, { env: {}, now: () => 0, tickMs: 0 });
    p.clear();
    expect(s.writes).toEqual([]);
    const h = p.start('x.pkt ipv4');
    p.clear();
    p.clear();
    expect(s.writes.slice(1)).toEqual([CLEAR]);
    p.end(h, { verdict: 'pass', durationMs: 5 });
    expect(s.writes.at(-1)).toBe(`${CLEAR}[1/2] 50% · 0 failed · ETA 5ms`);
    p.finish();
    expect(s.writes.at(-1)).toBe(CLEAR);
    const n = s.writes.length;
    p.render();
    p.finish();
    expect(s.writes.length).toBe(n);
  });

  it('redraws on a timer so running times advance, and stops it on finish', async () => {
    let t = 0;
    const s = fakeStream(true);
    const p = createProgress(s, 2, { env: {}, now: () => t, tickMs: 10 });
    p.start('slow.pkt ipv4');
    t = 2500;
    await new Promise((r) => setTimeout(r, 40));
    expect(s.writes.at(-1)).toBe(`${CLEAR}[0/2] 0% · 0 failed · ETA -- · 1 running, slowest slow.pkt ipv4 2.5s`);
    p.finish();
    const n = s.writes.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(s.writes.length).toBe(n);
  });

  it('at the end shows 100% without an ETA', () => {
    const p = createProgress(fakeStream(true), 1, { env: {}, now: () => 0, tickMs: 0 });
    p.end(p.start('a'), { verdict: 'pass', durationMs: 1 });
    expect(p.text()).toBe('[1/1] 100% · 0 failed');
  });
});

describe('isCi', () => {
  it('treats CI set to anything but empty/0/false as CI', () => {
    expect([undefined, '', '0', 'false', 'FALSE', 'true', '1', 'yes'].map((v) => isCi(v === undefined ? {} : { CI: v }))).toEqual([false, false, false, false, false, true, true, true]);
  });
});
