import { Parser } from 'tap-parser';
import type { IpVersion } from '../../src/interpreter/config.js';
import type { RunError, RunResult, Verdict } from '../../src/report/result.js';

export function err(file: string, message = 'bad ack', line = 3): RunError {
  return {
    message,
    kind: 'packet',
    file,
    line,
    column: 5,
    framed: `error: ${message}\n  ${line} | +0 > S. 0:0(0) ack 1\n    |    ^\n  expected ack 1, got ack 2`,
    legacy: `${file}:${line}: error handling packet: ${message}`,
  };
}

export function run(script: string, variant: IpVersion, verdict: Verdict, extra: Partial<RunResult> = {}): RunResult {
  const r: RunResult = { script, variant, verdict, durationMs: 12, warnings: [], log: [], ...extra };
  if ((verdict === 'fail' || verdict === 'timeout' || verdict === 'error') && !('error' in extra)) r.error = err(script);
  if (verdict === 'skip' && !('skipReason' in extra)) r.skipReason = 'needs a kernel with MPTCP';
  return r;
}

export interface TapAssert {
  ok: boolean;
  id: number;
  name: string;
  todo: string | boolean;
  skip: string | boolean;
  diag: Record<string, unknown> | null;
  time: number | null;
}

export interface TapTree {
  plan: { start: number; end: number } | null;
  asserts: TapAssert[];
  /** Subtests, in order, with the name of their `# Subtest:` line. */
  children: (TapTree & { name: string })[];
  final: { ok: boolean; count: number; pass: number; fail: number; todo: number; skip: number; bailout: boolean | string };
  comments: string[];
}

/** Parses TAP with tap-parser and returns its events as a tree (nested subtests included). */
export function parseTap(text: string): TapTree {
  const build = (p: Parser): TapTree => {
    const t: TapTree = { plan: null, asserts: [], children: [], final: undefined as never, comments: [] };
    p.on('plan', (pl: { start: number; end: number }) => (t.plan = { start: pl.start, end: pl.end }));
    p.on('comment', (c: string) => t.comments.push(c.trim()));
    p.on('assert', (a: TapAssert) => t.asserts.push({ ok: a.ok, id: a.id, name: a.name, todo: a.todo, skip: a.skip, diag: a.diag, time: a.time }));
    p.on('child', (c: Parser) => t.children.push(Object.assign(build(c), { name: c.name })));
    p.on('complete', (f: TapTree['final']) => (t.final = { ok: f.ok, count: f.count, pass: f.pass, fail: f.fail, todo: f.todo, skip: f.skip, bailout: f.bailout }));
    return t;
  };
  const p = new Parser({ strict: true });
  const tree = build(p);
  p.end(text);
  return tree;
}
