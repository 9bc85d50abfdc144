// Probing `// require:` on this machine's kernel (src/kernel/requirements.ts). Sockets need no
// privilege; what the probes say is compared with what is certainly there or certainly not.
import { describe, expect, test } from 'vitest';
import { compareVersion, kernelVersion, unmetRequirements } from '../../src/kernel/requirements.js';
import type { Requirement } from '../../src/parser/requirements.js';

const at = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
const req = (r: Record<string, unknown>) => ({ loc: at, text: '', ...r }) as Requirement;
const v4 = { ipv6: false };

describe('kernel versions', () => {
  test.each([
    ['6.12.95+deb12-amd64', [6, 12, 95]],
    ['6.1.0-57-amd64', [6, 1, 0]],
    ['6.18.44-fc-v1272', [6, 18, 44]],
    ['6.16-rc3', [6, 16, 0]],
    ['weird', [0, 0, 0]],
  ])('%s -> %j', (rel, v) => expect(kernelVersion(rel)).toEqual(v));

  test.each([
    [[6, 12, 95], '>=', [6, 12], true],
    [[6, 12, 95], '>=', [6, 13], false],
    [[6, 1, 0], '<', [6, 10], true],
    [[6, 10, 0], '<', [6, 10], false],
    [[6, 12, 95], '==', [6, 12], true],
    [[6, 12, 95], '==', [6, 12, 94], false],
    [[6, 12, 95], '>', [6, 12, 94], true],
    [[5, 15, 0], '<=', [6], true],
  ] as const)('%j %s %j is %s', (have, op, want, ok) => expect(compareVersion(have, op, want)).toBe(ok));

  test('a kernel too old is named with the release it is', () => {
    expect(unmetRequirements([req({ kind: 'kernel', op: '>=', version: [6, 10] })], { ...v4, kernelRelease: '6.1.0-57-amd64' })).toEqual([
      'kernel lacks version >= 6.10 (it is 6.1.0-57-amd64)',
    ]);
    expect(unmetRequirements([req({ kind: 'kernel', op: '>=', version: [6, 10] })], { ...v4, kernelRelease: '6.12.95+deb12-amd64' })).toEqual([]);
  });
});

describe('probes on this kernel', () => {
  test('sysctl: present or lacking', () => {
    const reqs = [req({ kind: 'sysctl', name: 'net.ipv4.tcp_rmem', path: '/proc/sys/net/ipv4/tcp_rmem' }), req({ kind: 'sysctl', name: 'net.tsdrill.absent', path: '/proc/sys/net/tsdrill/absent' })];
    expect(unmetRequirements(reqs, v4)).toEqual(['kernel lacks sysctl net.tsdrill.absent']);
  });

  test.each([false, true])('sockopt (ipv6 %s): a known option is there; an option the protocol does not know is lacking (ENOPROTOOPT)', (ipv6) => {
    const known = req({ kind: 'sockopt', level: 'SOL_TCP', option: 'TCP_NODELAY', protocol: 'IPPROTO_TCP' });
    // UDP has no option 43 (TCP_IS_MPTCP's number): the kernel answers ENOPROTOOPT, as 6.1's TCP does for TCP_IS_MPTCP.
    const unknown = req({ kind: 'sockopt', level: 'SOL_UDP', option: 'TCP_IS_MPTCP', protocol: 'IPPROTO_UDP' });
    expect(unmetRequirements([known, unknown], { ipv6 })).toEqual(['kernel lacks getsockopt(SOL_UDP, TCP_IS_MPTCP) on an IPPROTO_UDP socket (ENOPROTOOPT)']);
  });

  test('command: in PATH or not', () => {
    const reqs = [req({ kind: 'command', name: 'sh' }), req({ kind: 'command', name: 'tsdrill-no-such-command' })];
    expect(unmetRequirements(reqs, { ...v4, path: '/usr/bin:/bin' })).toEqual(['system lacks command tsdrill-no-such-command']);
  });

  test('module: one that no kernel has is lacking', () => {
    expect(unmetRequirements([req({ kind: 'module', name: 'tsdrill_no_such_module' })], v4)).toEqual(['kernel lacks module tsdrill_no_such_module']);
  });
});
