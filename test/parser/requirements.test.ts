// `// require: ...` forms (src/parser/requirements.ts); the malformed ones are in bad/require-*.pkt.
import { describe, expect, test } from 'vitest';
import { scriptRequirements } from '../../src/parser/requirements.js';
import { loadParser } from './helpers.js';

const { parseScript, ParseError } = await loadParser();
const reqs = (...lines: string[]) => scriptRequirements(parseScript(`${lines.join('\n')}\n0 close(3) = -1\n`, 't.pkt'), 't.pkt');
const one = (line: string) => {
  const { loc: _l, text: _t, ...r } = reqs(line)[0]!;
  return r;
};

describe('// require: forms', () => {
  test.each([
    ['// require: mptcp', { kind: 'mptcp' }],
    ['// require: sysctl net.mptcp.syn_retrans_before_tcp_fallback', { kind: 'sysctl', name: 'net.mptcp.syn_retrans_before_tcp_fallback', path: '/proc/sys/net/mptcp/syn_retrans_before_tcp_fallback' }],
    ['// require: sysctl net/ipv4/conf/all/rp_filter', { kind: 'sysctl', name: 'net.ipv4.conf.all.rp_filter', path: '/proc/sys/net/ipv4/conf/all/rp_filter' }],
    ['// require: sysctl /proc/sys/net/mptcp/enabled', { kind: 'sysctl', name: 'net.mptcp.enabled', path: '/proc/sys/net/mptcp/enabled' }],
    ['// require: kernel >= 6.12', { kind: 'kernel', op: '>=', version: [6, 12] }],
    ['// require: kernel < 6.1.57', { kind: 'kernel', op: '<', version: [6, 1, 57] }],
    ['// require: kernel = 6', { kind: 'kernel', op: '==', version: [6] }],
    ['// require: sockopt SOL_TCP TCP_IS_MPTCP', { kind: 'sockopt', level: 'SOL_TCP', option: 'TCP_IS_MPTCP', protocol: 'IPPROTO_TCP' }],
    ['// require: sockopt SOL_TCP TCP_INFO on IPPROTO_MPTCP', { kind: 'sockopt', level: 'SOL_TCP', option: 'TCP_INFO', protocol: 'IPPROTO_MPTCP' }],
    ['// require: sockopt SOL_MPTCP MPTCP_INFO', { kind: 'sockopt', level: 'SOL_MPTCP', option: 'MPTCP_INFO', protocol: 'IPPROTO_MPTCP' }],
    ['// require: module sch_netem', { kind: 'module', name: 'sch_netem' }],
    ['// require: command ethtool', { kind: 'command', name: 'ethtool' }],
  ])('%s', (line, want) => {
    expect(one(line)).toEqual(want);
  });

  test('several, in source order, each with its text and location', () => {
    const r = reqs('// require: mptcp', '// a comment', '//require:kernel >= 6.1');
    expect(r.map((x) => [x.kind, x.text, x.loc.start.line, x.loc.start.column])).toEqual([
      ['mptcp', 'mptcp', 1, 13],
      ['kernel', 'kernel >= 6.1', 3, 11],
    ]);
  });

  test.each([
    ['// require: sockopt SOL_TCP', "'sockopt' needs a level and an option name"],
    ['// require: sockopt SOL_TCP TCP_INFO in IPPROTO_MPTCP', "expected 'on' or the end, found 'in'"],
    ['// require: sockopt SOL_TCP TCP_INFO on', "expected a protocol after 'on'"],
    ['// require: sockopt SOL_TCP TCP_INFO on IPPROTO_SCTP', "bad protocol 'IPPROTO_SCTP'"],
    ['// require: sockopt SO_REUSEADDR TCP_INFO', "'SO_REUSEADDR' is no socket option level"],
    ['// require: kernel ~ 6.1', "bad comparison '~'"],
    ['// require: mptcp v1', "unexpected 'v1' after the mptcp requirement"],
    ['// require: sysctl net..x', "bad sysctl name 'net..x'"],
    ['// require: module ../evil', "bad module name '../evil'"],
  ])('%s is a parse error: %s', (line, message) => {
    expect(() => reqs(line)).toThrow(ParseError);
    expect(() => reqs(line)).toThrow(message);
  });
});
