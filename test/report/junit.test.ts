import { describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/report/junit.js';
import { err, run } from './helpers.js';

/** A tiny XML reader for the reporter's output (elements, attributes, text/CDATA), enough to assert structure. */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
function parseXml(xml: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(re)) {
    const top = stack[stack.length - 1]!;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2]) {
      expect(top.name).toBe(m[2]);
      stack.pop();
    } else if (m[3]) {
      const el: El = { name: m[3], attrs: {}, children: [], text: '' };
      for (const a of m[4]!.matchAll(/([\w:-]+)="([^"]*)"/g)) el.attrs[a[1]!] = unescape(a[2]!);
      top.children.push(el);
      if (!m[5]) stack.push(el);
    } else if (m[6] && m[6].trim()) top.text += unescape(m[6]);
  }
  expect(stack).toHaveLength(1);
  return root.children[0]!;
}
const kids = (e: El, name: string) => e.children.filter((c) => c.name === name);
const props = (e: El) => Object.fromEntries(kids(e, 'properties').flatMap((p) => kids(p, 'property')).map((p) => [p.attrs.name, p.attrs.value]));

const corpus = [
  run('scripts/mp_capable/client.pkt', 'ipv4', 'pass', { durationMs: 1500 }),
  run('scripts/mp_capable/client.pkt', 'ipv6', 'fail', { durationMs: 40, warnings: ['slow syscall'] }),
  run('scripts/mp_join/syn.pkt', 'ipv4', 'skip', { skipReason: 'no v6' }),
  run('scripts/mp_join/hang.pkt', 'ipv4', 'timeout', { durationMs: 180000, error: { ...err('scripts/mp_join/hang.pkt', 'timed out after 180 s'), kind: 'timeout' } }),
  run('scripts/mp_join/crash.pkt', 'ipv4', 'error', { error: { ...err('scripts/mp_join/crash.pkt', 'child crashed'), kind: 'crash' } }),
  run('scripts/add_addr/a.pkt', 'ipv4', 'pass'),
  run('scripts/add_addr/a.pkt', 'ipv4', 'fail'),
];

describe('formatJunit', () => {
  it('one testsuite per directory, one testcase per run, failures with message and framed text', () => {
    const doc = parseXml(formatJunit(corpus));
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({ name: 'tsdrill', tests: '6', failures: '2', errors: '1', skipped: '1' });
    const suites = kids(doc, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors, s.attrs.skipped])).toEqual([
      ['packetdrill_mp_capable', '2', '1', '0', '0'],
      ['packetdrill_mp_join', '3', '1', '1', '1'],
      ['packetdrill_add_addr', '1', '0', '0', '0'],
    ]);
    const [pass, fail] = kids(suites[0]!, 'testcase');
    expect(pass!.attrs).toEqual({ classname: 'packetdrill_mp_capable', name: 'mp_capable/client.pkt ipv4', file: 'scripts/mp_capable/client.pkt', time: '1.5' });
    expect(pass!.children).toEqual([]);
    expect(fail!.attrs.time).toBe('0.04');
    const f = kids(fail!, 'failure')[0]!;
    expect(f.attrs).toEqual({ message: 'bad ack', type: 'packet' });
    expect(f.text).toBe(err('scripts/mp_capable/client.pkt').framed);
    expect(kids(fail!, 'system-err')[0]!.text).toBe('warning: slow syscall');

    const [skip, hang, crash] = kids(suites[1]!, 'testcase');
    expect(kids(skip!, 'skipped')).toHaveLength(1);
    expect(kids(skip!, 'system-out')[0]!.text).toBe('skipped: no v6');
    expect(kids(hang!, 'failure')[0]!.attrs).toEqual({ message: 'timed out after 180 s', type: 'timeout' });
    expect(hang!.attrs.time).toBe('180');
    const e = kids(crash!, 'error')[0]!;
    expect(e.attrs).toEqual({ message: 'child crashed', type: 'crash' });
    expect(e.text).toContain('child crashed');
  });

  it('a flaky run is not a failure: properties flaky/passRate, attempts in system-out; strict makes it one', () => {
    const doc = parseXml(formatJunit(corpus));
    const suite = kids(doc, 'testsuite')[2]!;
    expect(suite.attrs).toMatchObject({ failures: '0', errors: '0' });
    const tc = kids(suite, 'testcase')[0]!;
    expect(kids(tc, 'failure')).toHaveLength(0);
    expect(props(tc)).toEqual({ flaky: 'true', passRate: '1/2' });
    const out = kids(tc, 'system-out')[0]!.text;
    expect(out).toContain('flaky: passed 1/2');
    expect(out).toContain('--- attempt 2: fail at scripts/add_addr/a.pkt:3:5');
    expect(out).toContain('expected ack 1, got ack 2');

    const strict = kids(kids(parseXml(formatJunit(corpus, { strict: true })), 'testsuite')[2]!, 'testcase')[0]!;
    expect(kids(strict, 'failure')[0]!.attrs).toEqual({ message: 'flaky: passed 1/2; bad ack', type: 'flaky' });
  });

  it('incomplete adds a property on every suite; timestamp and name options', () => {
    const doc = parseXml(formatJunit(corpus, { incomplete: true, timestamp: new Date('2025-01-02T03:04:05Z'), name: 'ci' }));
    expect(doc.attrs.name).toBe('ci');
    for (const s of kids(doc, 'testsuite')) {
      expect(props(s)).toMatchObject({ incomplete: 'true' });
      expect(s.attrs.timestamp).toMatch(/^2025-01-02T0\d:04:05/);
    }
    expect(formatJunit(corpus)).not.toContain('incomplete');
  });

  it('strips control characters that XML cannot carry', () => {
    const e = { ...err('s/d/a.pkt'), message: 'bad\x1b[31m red\x01', framed: 'x\x00y' };
    const xml = formatJunit([run('s/d/a.pkt', 'ipv4', 'fail', { error: e })]);
    expect(xml).not.toMatch(/[\x00-\x08\x1b]/);
    const f = kids(kids(kids(parseXml(xml), 'testsuite')[0]!, 'testcase')[0]!, 'failure')[0]!;
    expect(f.attrs.message).toBe('bad red\ufffd');
  });

  it('keeps `]]>` inside CDATA text intact', () => {
    const e = { ...err('s/d/a.pkt'), framed: 'a]]>b' };
    const f = kids(kids(kids(parseXml(formatJunit([run('s/d/a.pkt', 'ipv4', 'fail', { error: e })])), 'testsuite')[0]!, 'testcase')[0]!, 'failure')[0]!;
    expect(f.text).toBe('a]]>b');
  });
});
