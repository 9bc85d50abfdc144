import { describe, expect, it } from 'vitest';
import {
  commandFailed,
  lowerLayerFailure,
  packetMismatch,
  packetTimedOut,
  syscallErrno,
  syscallFailure,
  syscallMismatch,
  syscallResult,
  timingMiss,
  wrongForm,
} from '../../src/assertions/messages.js';
import { ScriptError } from '../../src/interpreter/errors.js';

const loc = (column: number) => ({ start: { offset: column, line: 3, column }, end: { offset: column + 1, line: 3, column: column + 1 } });

describe('message builders', () => {
  it('word a packet mismatch at its first field, the others as notes located at theirs, with packetdrill\'s field name', () => {
    const m = packetMismatch({
      mismatches: [
        { field: 'tcp_ack_seq', label: 'ack', expected: '1001', actual: '1', loc: loc(19) },
        { field: 'tcp_window', label: 'win', expected: '500', actual: '502', loc: loc(28) },
      ],
      scriptPacket: '0.010000 . 1:1(0) ack 1001 win 500',
      actualPacket: '0.010301 . 1:1(0) ack 1 win 502',
      livePacket: ['live packet: IPv4 ...'],
    });
    expect(m).toEqual({
      message: 'expected ack 1001, got ack 1',
      loc: loc(19),
      notes: [{ text: 'also: expected win 500, got win 502', loc: loc(28) }, 'script packet: 0.010000 . 1:1(0) ack 1001 win 500', 'actual packet: 0.010301 . 1:1(0) ack 1 win 502', 'live packet: IPv4 ...'],
      legacy: 'live packet field tcp_ack_seq: expected: 1001 vs actual: 1',
    });
  });

  it('say "expected X, got Y" in our words and keep packetdrill\'s "but got" in the legacy form', () => {
    const result = syscallResult({ call: 'listen', expected: -1, result: 0 });
    expect(result.message).toBe('listen: expected result -1, got 0');
    expect(result.legacy).toBe('runtime error in listen call: expected result -1 but got 0');
    const fd = syscallResult({ call: 'accept', expected: 'non-negative', result: -1, errno: { name: 'EAGAIN', text: 'Resource temporarily unavailable' } });
    expect(fd.message).toBe('accept: expected non-negative result, got -1 with errno EAGAIN (Resource temporarily unavailable)');
    const errno = syscallErrno({ call: 'connect', expected: 'ECONNREFUSED (Connection refused)', actual: 'EINPROGRESS (Operation now in progress)' });
    expect(errno.message).toBe('connect: expected errno ECONNREFUSED (Connection refused), got EINPROGRESS (Operation now in progress)');
    expect(errno.legacy).toBe('runtime error in connect call: expected errno ECONNREFUSED (Connection refused) but got EINPROGRESS (Operation now in progress)');
    for (const m of [result, fd, errno, syscallMismatch({ call: 'getsockopt', what: 'optlen', expected: 4, actual: 8 })]) expect(m.message).not.toMatch(/but got/);
  });

  it('give a syscall mismatch packetdrill\'s own words when the caller has them', () => {
    const m = syscallMismatch({ call: 'getsockopt', what: 'linger onoff', expected: 1, actual: 0, legacy: 'Bad getsockopt optval: expected linger.onoff 1 actual 0' });
    expect(m.message).toBe('getsockopt: expected linger onoff 1, got 0');
    expect(m.legacy).toBe('runtime error in getsockopt call: Bad getsockopt optval: expected linger.onoff 1 actual 0');
    expect(syscallFailure({ call: 'poll', text: '2 events ready', notes: ['n'] })).toEqual({ message: 'poll: 2 events ready', notes: ['n'], legacy: 'runtime error in poll call: 2 events ready' });
  });

  it('say "expected X, found Y" for script text of the wrong form', () => {
    expect(wrongForm({ subject: 'pipe', expected: '[read_fd, write_fd]', found: 'an integer' }).message).toBe('pipe: expected [read_fd, write_fd], found an integer');
    expect(wrongForm({ expected: 'a string', found: '3' }).message).toBe('expected a string, found 3');
  });

  it('word a failed command with its role, status and output lines', () => {
    const m = commandFailed({ command: ' exit 3 ', role: 'cleanup', exitCode: 3, signal: null, output: 'a\nb\n' });
    expect(m).toEqual({
      message: 'cleanup command `exit 3` failed: non-zero status 3',
      notes: ['output: a', 'output: b'],
      legacy: 'error executing `exit 3` command: non-zero status 3',
    });
    const killed = commandFailed({ command: 'sleep 9', role: 'event', exitCode: null, signal: 'SIGTERM', output: '' });
    expect(killed.message).toBe('command `sleep 9` failed: killed by SIGTERM');
    expect(killed.legacy).toBe('error executing `sleep 9` command: killed by SIGTERM');
    expect(killed.notes).toEqual([]);
  });

  it('word an early or late event with its window and tolerance', () => {
    const late = timingMiss({ what: 'outbound packet', start: 100_000, end: 100_000, toleranceUsecs: 4000, actual: 110_500 });
    expect(late.message).toBe('outbound packet 10.500 ms late: expected at 0.100000 sec, happened at 0.110500 sec');
    expect(late.notes).toEqual(['allowed window: 0.096000 to 0.104000 sec (tolerance 4.000 ms)']);
    expect(late.legacy).toBe('timing error: expected outbound packet at 0.100000 sec but happened at 0.110500 sec; tolerance 0.004000 sec');
    const early = timingMiss({ what: 'inbound packet', start: 200_000, end: 300_000, toleranceUsecs: 1000, actual: 150_000 });
    expect(early.message).toBe('inbound packet 50.000 ms early: expected in time range 0.200000~0.300000 sec, happened at 0.150000 sec');
  });

  it('keep packetdrill\'s words for a packet that never came', () => {
    expect(packetTimedOut({ seconds: 3 })).toEqual({ message: 'timed out waiting for packet: nothing from the kernel within 3 s', notes: [], legacy: 'Timed out waiting for packet' });
  });
});

describe('ScriptError.from', () => {
  it('keeps a lower layer\'s error as the cause, located at the event', () => {
    const low = new Error('write(tun0): Input/output error');
    const e = ScriptError.from('setup', loc(1), lowerLayerFailure({ what: 'inbound packet', error: low }), { cause: low });
    expect(e.message).toBe('inbound packet failed: write(tun0): Input/output error');
    expect(e.cause).toBe(low);
    expect(e.loc).toEqual(loc(1));
    expect(e.kind).toBe('setup');
  });

  it('still takes the positional form with string notes', () => {
    const e = new ScriptError('runtime', 'm', loc(2), ['a note'], 'legacy words');
    expect([e.message, e.notes, e.legacy, e.cause]).toEqual(['m', ['a note'], 'legacy words', undefined]);
  });
});
