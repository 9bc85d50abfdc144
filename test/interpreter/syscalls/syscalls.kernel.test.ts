// Our own scripts for the system calls beyond socket life cycle (test/fixtures/syscalls/), run
// through the CLI against the kernel: message I/O and control messages, poll/epoll, ioctl,
// pipes/files/splice/sendfile, Fast Open sendto/sendmsg, the error queue. Then a few scripts
// made to fail, to pin the out-parameter diagnostics (message and the field they point at).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsJson } from '../../../src/report/json.js';
import { hasTun, ROOT, tsdrill } from '../../helpers/kernel.js';

const FIXTURES = join(ROOT, 'test/fixtures/syscalls');
const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-syscalls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs and returns the per-run outcomes from the JSON report. */
async function run(args: string[]) {
  const json = join(tmp, `r${Math.random().toString(36).slice(2)}.json`);
  const r = await tsdrill(['run', '-j', '1', '--json', json, ...args]);
  const results = JSON.parse(readFileSync(json, 'utf8')) as ResultsJson;
  return { r, runs: results.runs };
}

const failures = (runs: ResultsJson['runs']) => runs.filter((x) => x.error).map((x) => `${x.variant}: ${x.error!.message}`);

describe.skipIf(!hasTun)('system calls against the kernel', () => {
  it.each(['msg-io.pkt', 'pipe-splice-sendfile.pkt', 'fastopen-sendto.pkt'])('%s passes in all three IP variants', async (name) => {
    const { r, runs } = await run([join(FIXTURES, name)]);
    expect(failures(runs)).toEqual([]);
    expect(runs).toHaveLength(3);
    expect(r.exitCode).toBe(0);
  });

  it('errqueue-v4.pkt: zerocopy and timestamping notifications (IPv4 cmsg level)', async () => {
    const { r, runs } = await run(['--ip_version=ipv4', join(FIXTURES, 'errqueue-v4.pkt')]);
    expect(failures(runs)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  const HEADER = `--tolerance_usecs=40000
\`${ROOT}scripts/common/defaults.sh\`
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0    > S. 0:0(0) ack 1 <...>
+.01  < . 1:1(0) ack 1 win 257
+0    accept(3, ..., ...) = 4
`;
  /** [what, script lines, message, text the error must point at (on the last line)] */
  const BAD: [string, string, string, string][] = [
    [
      'poll revents',
      '+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN|POLLOUT}], 1, 0) = 1',
      'poll: expected revents POLLIN|POLLOUT for pollfd 0, got POLLOUT',
      'POLLIN|POLLOUT}',
    ],
    [
      'recvmsg msg_flags',
      '+0 < P. 1:101(100) ack 1 win 257\n+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=MSG_TRUNC}, 0) = 10',
      'recvmsg: expected msg_flags MSG_TRUNC (0x20), got 0x0',
      'MSG_TRUNC}',
    ],
    [
      'recvmsg cmsg_data',
      '+0 setsockopt(4, SOL_TCP, TCP_INQ, [1], 4) = 0\n+0 < P. 1:101(100) ack 1 win 257\n+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0, msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=7}]}, 0) = 10',
      'recvmsg: expected cmsg_data 7 for cmsg 0, got 90',
      '7}]}',
    ],
    [
      'epoll_wait events',
      '+0 epoll_create(1) = 5\n+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLOUT, fd=4}) = 0\n+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1',
      'epoll_wait: expected events EPOLLIN for epoll_event 0, got EPOLLOUT',
      'EPOLLIN, fd=4}',
    ],
    ['ioctl value', '+0 ioctl(4, SIOCINQ, [5]) = 0', 'ioctl: expected SIOCINQ value 5, got 0', '5]'],
  ];

  it.each(BAD)('reports a wrong %s at the field', async (what, lines, message, at) => {
    const file = join(tmp, `${what.replace(/\W+/g, '-')}.pkt`);
    const text = `${HEADER}${lines}\n`;
    writeFileSync(file, text);
    const { r, runs } = await run(['--ip_version=ipv4', file]);
    expect(r.exitCode).toBe(1);
    const err = runs[0]!.error!;
    expect(err.message).toBe(message);
    const all = text.trimEnd().split('\n');
    expect({ line: err.line, column: err.column }).toEqual({ line: all.length, column: all[all.length - 1]!.lastIndexOf(at) + 1 });
  });
});
