// AST shapes for each construct of the language (script-language.md §1-3, §7.2).

import { describe, expect, test } from 'vitest';
import type { Action, Event, Expr, PacketAction, Script, SyscallAction, TcpOptionNode } from '../../src/parser/ast.js';
import { loadParser } from './helpers.js';

const { parseScript, ParseError } = await loadParser();

const FIRST = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

/** Removes every `loc`-like field, to compare shapes. */
function strip<T>(value: T): T {
  if (Array.isArray(value)) return value.map(strip) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'loc' || k === 'nameLoc' || k === 'optionsLoc') continue;
      out[k] = strip(v);
    }
    return out as T;
  }
  return value;
}

function parse(text: string, defines?: Record<string, string>): Script {
  return parseScript(text, 'test.pkt', defines ? { defines } : {});
}

/** The second event of a script whose first event is a socket() call. */
function event(line: string, defines?: Record<string, string>): Event {
  return parse(FIRST + line + '\n', defines).events[1]!;
}

function action(line: string, defines?: Record<string, string>): Action {
  return event(line, defines).action;
}

function syscall(line: string): SyscallAction {
  const a = action(line);
  if (a.kind !== 'syscall') throw new Error(`not a syscall: ${a.kind}`);
  return a;
}

function packet(line: string, defines?: Record<string, string>): PacketAction {
  const a = action(line, defines);
  if (a.kind !== 'packet') throw new Error(`not a packet: ${a.kind}`);
  return a;
}

/** The options of an outbound TCP packet carrying `opts`. */
function options(opts: string, defines?: Record<string, string>): TcpOptionNode[] {
  const p = packet(`+0 > . 1:1(0) ack 1 <${opts}>`, defines);
  if (p.body.kind !== 'tcp' || !Array.isArray(p.body.options)) throw new Error('no options');
  return strip(p.body.options);
}

function option(opt: string, defines?: Record<string, string>): TcpOptionNode {
  return options(opt, defines)[0]!;
}

/** The first option of an inbound line (forms that may only be injected). */
function inboundOption(opt: string): TcpOptionNode {
  const p = packet(`+0 < . 1:1(0) ack 1 win 1 <${opt}>`);
  if (p.body.kind !== 'tcp' || !Array.isArray(p.body.options)) throw new Error('no options');
  return strip(p.body.options)[0]!;
}

function expr(text: string): Expr {
  return strip(syscall(`+0 f(${text}) = 0`).args[0]!);
}

function int(value: bigint, hex = false): Expr {
  return { kind: 'int', value, hex } as Expr;
}

function word(name: string): Expr {
  return { kind: 'word', name } as Expr;
}

function errorOf(text: string): InstanceType<typeof ParseError> {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('no error');
}

// ---------------------------------------------------------------------------------------

describe('script structure', () => {
  test('header options, init command, events, cleanup command', () => {
    const s = parse(
      '--tolerance_usecs=100000\n--tcp_ts_ecr_scaled --local_ip=192.168.0.1\n' +
        '--remote_ip=fd3d:fa7b:d17d::1 --ip_version=ipv6 --define=TFO_COOKIE=abcd --define=S="x y"\n' +
        '`../common/defaults.sh\nsysctl -q net.ipv4.tcp_ecn=1`\n' +
        FIRST +
        '+0 close(3) = 0\n`echo done`',
    );
    expect(strip(s.options)).toEqual([
      { kind: 'option', name: 'tolerance_usecs', value: '100000' },
      { kind: 'option', name: 'tcp_ts_ecr_scaled' },
      { kind: 'option', name: 'local_ip', value: '192.168.0.1' },
      { kind: 'option', name: 'remote_ip', value: 'fd3d:fa7b:d17d::1' },
      { kind: 'option', name: 'ip_version', value: 'ipv6' },
      { kind: 'option', name: 'define', value: 'TFO_COOKIE=abcd' },
      { kind: 'option', name: 'define', value: 'S="x y"' },
    ]);
    expect(strip(s.initCommand)).toEqual({ kind: 'command', command: '../common/defaults.sh\nsysctl -q net.ipv4.tcp_ecn=1' });
    expect(s.events).toHaveLength(2);
    expect(strip(s.cleanupCommand)).toEqual({ kind: 'command', command: 'echo done' });
    expect(s.loc.start.offset).toBe(0);
  });

  test('locations: offset, line and column of each node', () => {
    const s = parse(FIRST + '  +0.1  close(3) = 0\n');
    const e = s.events[1]!;
    expect(e.loc.start).toEqual({ offset: FIRST.length + 2, line: 2, column: 3 });
    expect(e.time.loc).toEqual({
      start: { offset: FIRST.length + 2, line: 2, column: 3 },
      end: { offset: FIRST.length + 6, line: 2, column: 7 },
    });
    const a = e.action as SyscallAction;
    expect(a.nameLoc.start.column).toBe(9);
    expect(a.nameLoc.end.column).toBe(14);
    expect(a.loc.end.column).toBe(21);
    expect(a.args[0]!.loc.start.column).toBe(15);
  });

  test('several events on one line and one event over several lines', () => {
    const s = parse(FIRST + '+0 close(3) = 0 +0 close(4) = 0\n+0 poll([{fd=3,\n events=POLLIN,\n revents=0}], 1, 0) = 0');
    expect(s.events.map((e) => e.loc.start.line)).toEqual([1, 2, 2, 3]);
    expect(s.events[3]!.loc.end.line).toBe(5);
  });

  test('comments: //, /* */ over lines, // at end of file without newline', () => {
    const s = parse('/* header\n comment */ ' + FIRST + '+0 close(3) = 0 /* inline */ // trailing');
    expect(s.events).toHaveLength(2);
  });

  test('a // comment is not a code or command delimiter', () => {
    const s = parse(FIRST + '+0 `echo "//not a comment"`\n');
    expect(strip(s.events[1]!.action)).toEqual({ kind: 'command', command: 'echo "//not a comment"' });
  });

  test('CRLF line endings', () => {
    const s = parse(FIRST.replace('\n', '\r\n') + '+0 close(3) = 0\r\n');
    expect(s.events[1]!.loc.start.line).toBe(2);
  });
});

describe('times', () => {
  test.each([
    ['0.5 close(3) = 0', { kind: 'absolute', usecs: 500000 }],
    ['1 close(3) = 0', { kind: 'absolute', usecs: 1000000 }],
    ['+.1 close(3) = 0', { kind: 'relative', usecs: 100000 }],
    ['+0.000001 close(3) = 0', { kind: 'relative', usecs: 1 }],
    ['+ 2 close(3) = 0', { kind: 'relative', usecs: 2000000 }],
    ['* > . 1:1(0) ack 1', { kind: 'any' }],
    ['+.004~+.008 > P. 1:1(0) ack 1', { kind: 'range', relative: true, startUsecs: 4000, endUsecs: 8000 }],
    ['0.1~0.25 > P. 1:1(0) ack 1', { kind: 'range', relative: false, startUsecs: 100000, endUsecs: 250000 }],
  ])('%s', (line, time) => {
    expect(strip(event(line).time)).toEqual(time);
  });

  test('seconds are converted to microseconds by truncation, as packetdrill does', () => {
    expect(strip(event('+0.0000019 close(3) = 0').time)).toEqual({ kind: 'relative', usecs: 1 });
    // 0.0000008 * 1e6 = 0.7999999999999999 in IEEE doubles, as in C.
    expect(strip(event('+0.0000008 close(3) = 0').time)).toEqual({ kind: 'relative', usecs: 0 });
  });

  test('blocking system call: ...end time in microseconds', () => {
    const a = syscall('+.1...0.25 read(3, ..., 1000) = 1000');
    expect(a.blockingEnd?.value).toBe(250000);
    expect(syscall('+0...0.040 poll([], 0, 0) = 0').blockingEnd?.value).toBe(40000);
    expect(syscall('+0 ... 1 accept(3, ..., ...) = 4').blockingEnd?.value).toBe(1000000);
  });
});

describe('system calls and expressions', () => {
  test('name, arguments, result, errno, note', () => {
    const a = syscall('+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)');
    expect(strip(a)).toEqual({
      kind: 'syscall',
      name: 'connect',
      args: [int(3n), { kind: 'ellipsis' }, { kind: 'ellipsis' }],
      result: int(-1n),
      errno: { name: 'EINPROGRESS' },
      note: 'Operation now in progress',
    });
    expect(a.errno?.loc.start.column).toBe(30);
  });

  test('errno without note, note without errno, empty argument list', () => {
    expect(strip(syscall('+0 read(3, ..., 1) = -1 EAGAIN')).errno).toEqual({ name: 'EAGAIN' });
    const f = strip(syscall('+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)'));
    expect(f.result).toEqual(int(2n, true));
    expect(f.note).toBe('flags O_RDWR');
    expect(f.errno).toBeUndefined();
    expect(syscall('+0 getpid() = 1').args).toEqual([]);
  });

  test('integers are 64-bit bigints with a hex flag', () => {
    expect(expr('0xffffffffffffffff')).toEqual(int(0xffffffffffffffffn, true));
    expect(expr('-9223372036854775808')).toEqual(int(-9223372036854775808n));
  });

  test('words, bitwise or (left associative)', () => {
    expect(expr('O_RDWR|O_NONBLOCK|O_CLOEXEC')).toEqual({
      kind: 'binary',
      op: '|',
      left: { kind: 'binary', op: '|', left: word('O_RDWR'), right: word('O_NONBLOCK') },
      right: word('O_CLOEXEC'),
    });
  });

  test('strings: adjacent literals concatenate, raw escapes, trailing ellipsis', () => {
    expect(expr('"ab" "c\\"d" "\\x41"')).toEqual({ kind: 'string', value: 'abc\\"d\\x41', trailingEllipsis: false });
    expect(expr('"prefix"...')).toEqual({ kind: 'string', value: 'prefix', trailingEllipsis: true });
  });

  test('arrays, int by reference, generic lists, named values', () => {
    expect(expr('[1]')).toEqual({ kind: 'array', items: [int(1n)] });
    expect(expr('[]')).toEqual({ kind: 'array', items: [] });
    expect(expr('{..., 1000}')).toEqual({ kind: 'list', items: [{ kind: 'ellipsis' }, int(1000n)] });
    expect(expr('{tcpi_state=1, tcpi_ca_state=TCP_CA_Open}')).toEqual({
      kind: 'list',
      items: [
        { kind: 'named', name: 'tcpi_state', value: int(1n) },
        { kind: 'named', name: 'tcpi_ca_state', value: word('TCP_CA_Open') },
      ],
    });
  });

  test('calls: htons, inet_addr, inet6_addr', () => {
    expect(expr('inet_addr("192.0.2.1")')).toEqual({
      kind: 'call',
      fn: 'inet_addr',
      args: [{ kind: 'string', value: '192.0.2.1', trailingEllipsis: false }],
    });
    expect(expr('inet6_addr("::1")')).toMatchObject({ kind: 'call', fn: 'inet6_addr' });
    expect(expr('htons(8080)')).toEqual({ kind: 'call', fn: 'htons', args: [int(8080n)] });
  });

  test('sockaddr struct', () => {
    expect(expr('{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}')).toEqual({
      kind: 'struct',
      fields: [
        { name: 'sa_family', value: word('AF_INET') },
        { name: 'sin_port', value: { kind: 'call', fn: 'htons', args: [int(8080n)] } },
        {
          name: 'sin_addr',
          value: { kind: 'call', fn: 'inet_addr', args: [{ kind: 'string', value: '192.0.2.1', trailingEllipsis: false }] },
        },
      ],
    });
  });

  test('msghdr with iovec and cmsgs (sock_extended_err, scm_timestamping)', () => {
    const a = strip(
      syscall(`+0 recvmsg(3, {msg_name(...)=...,
          msg_iov(1)=[{...,0}],
          msg_flags=MSG_ERRQUEUE|MSG_TRUNC,
          msg_control=[
            {cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=0,scm_nsec=20000000}},
            {cmsg_level=CMSG_LEVEL_IP, cmsg_type=CMSG_TYPE_RECVERR,
             cmsg_data={ee_errno=ENOMSG, ee_origin=SO_EE_ORIGIN_TIMESTAMPING, ee_type=0, ee_code=0,
                        ee_info=SCM_TSTAMP_SCHED, ee_data=10999}}
          ]}, MSG_ERRQUEUE) = 0`),
    );
    const msg = a.args[1]!;
    expect(msg.kind).toBe('struct');
    if (msg.kind !== 'struct') return;
    expect(msg.fields.map((f) => f.name)).toEqual(['msg_name', 'msg_iov', 'msg_flags', 'msg_control']);
    expect(msg.fields[0]).toEqual({ name: 'msg_name', arg: { kind: 'ellipsis' }, value: { kind: 'ellipsis' } });
    expect(msg.fields[1]).toEqual({
      name: 'msg_iov',
      arg: int(1n),
      value: { kind: 'array', items: [{ kind: 'list', items: [{ kind: 'ellipsis' }, int(0n)] }] },
    });
    const control = msg.fields[3]!.value;
    expect(control.kind === 'array' && control.items.length).toBe(2);
    if (control.kind !== 'array') return;
    const ts = control.items[0]!;
    expect(ts.kind === 'struct' && ts.fields[2]).toEqual({
      name: 'cmsg_data',
      value: { kind: 'struct', fields: [{ name: 'scm_sec', value: int(0n) }, { name: 'scm_nsec', value: int(20000000n) }] },
    });
    const err = control.items[1]!;
    expect(err.kind === 'struct' && err.fields[0]).toEqual({ name: 'cmsg_level', value: word('CMSG_LEVEL_IP') });
  });

  test('pollfd, epoll_event, linger, timeval', () => {
    expect(expr('[{fd=4, events=POLLOUT, revents=0}]')).toEqual({
      kind: 'array',
      items: [
        {
          kind: 'struct',
          fields: [
            { name: 'fd', value: int(4n) },
            { name: 'events', value: word('POLLOUT') },
            { name: 'revents', value: int(0n) },
          ],
        },
      ],
    });
    for (const f of ['fd', 'ptr', 'u32', 'u64']) {
      expect(expr(`{events=EPOLLIN, ${f}=4}`)).toEqual({
        kind: 'struct',
        fields: [{ name: 'events', value: word('EPOLLIN') }, { name: f, value: int(4n) }],
      });
    }
    expect(expr('{onoff=1, linger=0}')).toEqual({
      kind: 'struct',
      fields: [{ name: 'onoff', value: int(1n) }, { name: 'linger', value: int(0n) }],
    });
    expect(expr('{tv_sec=1, tv_usec=500}')).toMatchObject({ kind: 'struct', fields: [{ name: 'tv_sec' }, { name: 'tv_usec' }] });
  });

  test('GRE header and MPLS stack as values', () => {
    expect(expr('{flags [checksum present, key present] sum 0 off 0 key=7 seq 1}')).toEqual({
      kind: 'struct',
      fields: [
        { name: 'flags', value: { kind: 'array', items: [word('checksum'), word('key')] } },
        { name: 'sum', value: int(0n) },
        { name: 'off', value: int(0n) },
        { name: 'key', value: int(7n) },
        { name: 'seq', value: int(1n) },
      ],
    });
    expect(expr('{(label 16, tc 0, [S], ttl 255)}')).toEqual({
      kind: 'list',
      items: [
        {
          kind: 'struct',
          fields: [
            { name: 'label', value: int(16n) },
            { name: 'tc', value: int(0n) },
            { name: 'bottom', value: int(1n) },
            { name: 'ttl', value: int(255n) },
          ],
        },
      ],
    });
  });

  test('expression words are not replaced by defines (the interpreter resolves them)', () => {
    const a = syscall('+0 setsockopt(3, CMSG_LEVEL_IP, IP_TOS, [1], 4) = 0');
    expect(strip(a.args[1])).toEqual(word('CMSG_LEVEL_IP'));
  });
});

describe('commands and code', () => {
  test('backquoted command with \\` escape over several lines', () => {
    expect(strip(action('+0 `echo \\`date\\`\nls`'))).toEqual({ kind: 'command', command: 'echo `date`\nls' });
  });

  test('code block: spaces and tabs trimmed, newlines kept', () => {
    expect(strip(action('+0 %{ \tassert tcpi_rtt > 0 \t}%'))).toEqual({ kind: 'code', code: 'assert tcpi_rtt > 0' });
    expect(strip(action('+0 %{\nassert x == 1\n}%'))).toEqual({ kind: 'code', code: '\nassert x == 1\n' });
  });
});

describe('TCP packets', () => {
  test('inbound SYN with options', () => {
    const p = strip(packet('+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>'));
    expect(p).toEqual({
      kind: 'packet',
      direction: 'inbound',
      encapsulations: [],
      body: {
        kind: 'tcp',
        flags: { text: 'S' },
        seq: { start: 0, end: 0, length: 0 },
        win: { value: 32792 },
        options: [
          { kind: 'mss', value: 1000 },
          { kind: 'sackOK' },
          { kind: 'nop' },
          { kind: 'nop' },
          { kind: 'nop' },
          { kind: 'wscale', value: 7 },
        ],
      },
    });
  });

  test('outbound with ack, urg, <...> and no window', () => {
    const p = packet('+0 > P. 1:1001(1000) ack 1 urg 5 <...>');
    const body = p.body;
    expect(body.kind === 'tcp' && strip(body)).toEqual({
      kind: 'tcp',
      flags: { text: 'P.' },
      seq: { start: 1, end: 1001, length: 1000 },
      ack: { value: 1 },
      urg: { value: 5 },
      options: 'any',
    });
    expect(body.kind === 'tcp' && body.optionsLoc?.start.column).toBe(34);
  });

  test.each(['S', 'S.', '.', '-', 'F.', 'R.', 'SEW', 'SE.', 'S.2', 'S.0', '.7', 'P.5', 'FSRPU.'])('flags %s', (flags) => {
    const p = packet(`+0 > ${flags} 0:0(0)`);
    expect(p.body.kind === 'tcp' && p.body.flags.text).toBe(flags);
  });

  test('ip info: ECN codepoints, tos, flowlabel, ttl, both bracket kinds', () => {
    expect(strip(packet('+0 > [ect0] P. 1:1001(1000) ack 1').ipInfo)).toEqual({ tos: { kind: 'ect0' } });
    expect(strip(packet('+0 > (tos 0x10) P. 1:1001(1000) ack 1').ipInfo)).toEqual({ tos: { kind: 'tos', value: 16 } });
    expect(strip(packet('+0 > [ect01, flowlabel 0x12345] . 1:1(0) ack 1').ipInfo)).toEqual({
      tos: { kind: 'ect01' },
      flowlabel: { value: 0x12345 },
    });
    expect(strip(packet('+0 < [ttl 1] S. 0:0(0) ack 1 win 65535').ipInfo)).toEqual({ ttl: { value: 1 } });
    for (const k of ['noecn', 'ect1', 'ce']) {
      expect(strip(packet(`+0 > [${k}] . 1:1(0) ack 1`).ipInfo)).toEqual({ tos: { kind: k } });
    }
  });

  test('endpoints: ports, addresses, addr[] variables, omitted sides', () => {
    expect(strip(packet('+0 < 1234>8080 S 0:0(0) win 100').endpoints)).toEqual({
      src: { kind: 'port', port: 1234 },
      dst: { kind: 'port', port: 8080 },
    });
    expect(strip(packet('+0 < 192.0.2.9:5000 > 192.168.0.1:8080 S 0:0(0) win 100').endpoints)).toEqual({
      src: { kind: 'address', address: '192.0.2.9', port: 5000 },
      dst: { kind: 'address', address: '192.168.0.1', port: 8080 },
    });
    expect(strip(packet('+0 < 2001:db8::1:5000 > fd3d::2:80 S 0:0(0) win 100').endpoints)).toEqual({
      src: { kind: 'address', address: '2001:db8::1', port: 5000 },
      dst: { kind: 'address', address: 'fd3d::2', port: 80 },
    });
    expect(strip(packet('+0 < addr[caddr0] > addr[saddr0] S 0:0(0) win 65535').endpoints)).toEqual({
      src: { kind: 'variable', name: 'caddr0' },
      dst: { kind: 'variable', name: 'saddr0' },
    });
    expect(strip(packet('+0 > > addr[saddr1] S 0:0(0)').endpoints)).toEqual({ dst: { kind: 'variable', name: 'saddr1' } });
  });

  test('1:1001 is a sequence, not an IPv6 address', () => {
    const p = packet('+0 > . 1:1001(1000) ack 1');
    expect(p.endpoints).toBeUndefined();
    expect(p.body.kind === 'tcp' && strip(p.body.seq)).toEqual({ start: 1, end: 1001, length: 1000 });
  });

  test('encapsulations: ipv4, ipv6, gre, mpls', () => {
    const p = strip(
      packet(
        '+0 < ipv4 192.0.2.2 > 192.168.0.2: gre flags 0x2000 sum 0 off 0 key 5 seq 0: ' +
          'mpls (label 16, tc 0, [S], ttl 255): ipv6 [ect0] 2001:db8::1 > fd3d::1: S 0:0(0) win 100',
      ),
    );
    expect(p.encapsulations).toEqual([
      { kind: 'ipv4', src: '192.0.2.2', dst: '192.168.0.2' },
      {
        kind: 'gre',
        header: {
          kind: 'struct',
          fields: [
            { name: 'flags', value: int(0x2000n, true) },
            { name: 'sum', value: int(0n) },
            { name: 'off', value: int(0n) },
            { name: 'key', value: int(5n) },
            { name: 'seq', value: int(0n) },
          ],
        },
      },
      { kind: 'mpls', entries: [{ label: 16, tc: 0, bottom: true, ttl: 255 }] },
      { kind: 'ipv6', ipInfo: { tos: { kind: 'ect0' } }, src: '2001:db8::1', dst: 'fd3d::1' },
    ]);
    expect(strip(packet('+0 > GREv0: . 1:1(0) ack 1').encapsulations)).toEqual([{ kind: 'gre' }]);
  });

  test('PSP encapsulation [upstream]', () => {
    expect(strip(packet('+0 < encap psp spi 7 S 0:0(0) win 100').psp)).toEqual({ value: 7 });
  });
});

describe('UDP and ICMP packets', () => {
  test('udp', () => {
    expect(strip(packet('+0 < udp (1000)'))).toEqual({
      kind: 'packet',
      direction: 'inbound',
      encapsulations: [],
      body: { kind: 'udp', length: { value: 1000 } },
    });
    expect(strip(packet('+0 > udp 1234 > 53 (20)').endpoints)).toEqual({
      src: { kind: 'port', port: 1234 },
      dst: { kind: 'port', port: 53 },
    });
  });

  test('icmp: type, code, mtu, id, quoted headers', () => {
    expect(strip(packet('+0 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]').body)).toEqual({
      kind: 'icmp',
      type: { name: 'unreachable' },
      code: { name: 'frag_needed' },
      mtu: { value: 840 },
      quoted: { kind: 'tcp', start: 0, end: 1000, length: 1000 },
    });
    expect(strip(packet('+0 < icmp unreachable [5000:6000(1000)]').body)).toMatchObject({ type: { name: 'unreachable' } });
    expect(strip(packet('+0 < icmp echo_reply id 7 [udp (20)]').body)).toEqual({
      kind: 'icmp',
      type: { name: 'echo_reply' },
      id: { value: 7 },
      quoted: { kind: 'udp', length: 20 },
    });
    expect(strip(packet('+0 < icmp time_exceeded [raw (8)]').body)).toMatchObject({ quoted: { kind: 'raw', length: 8 } });
  });

  test('-D defines replace ICMP type/code names', () => {
    const p = packet('+0 < icmp unreachable CODE [0:10(10)]', { CODE: 'host_unreachable' });
    expect(p.body.kind === 'icmp' && p.body.code?.name).toBe('host_unreachable');
    const q = packet('+0 < icmp unreachable CODE');
    expect(q.body.kind === 'icmp' && q.body.code?.name).toBe('CODE');
  });
});

describe('TCP options', () => {
  test('nop, eol, mss, wscale, sackOK', () => {
    expect(options('nop,eol,mss 1460,wscale 7,sackOK,nop').slice(0, 5)).toEqual([
      { kind: 'nop' },
      { kind: 'eol' },
      { kind: 'mss', value: 1460 },
      { kind: 'wscale', value: 7 },
      { kind: 'sackOK' },
    ]);
  });

  test('sack blocks', () => {
    expect(option('sack 3001:4001 9001:10001, nop, nop')).toEqual({
      kind: 'sack',
      blocks: [
        { left: 3001, right: 4001 },
        { left: 9001, right: 10001 },
      ],
    });
  });

  test('timestamps', () => {
    expect(option('nop,nop,TS val 4074410674 ecr 0').kind).toBe('nop');
    expect(options('nop,nop,TS val 4074410674 ecr 0')[2]).toEqual({ kind: 'timestamp', val: 4074410674, ecr: 0 });
  });

  test('md5', () => {
    expect(option('md5 000102030405060708090a0b0c0d0e0f,nop,nop')).toEqual({
      kind: 'md5',
      hex: '000102030405060708090a0b0c0d0e0f',
    });
  });

  test('FO and FOEXP, with and without cookie, literal or -D define', () => {
    expect(options('FO,nop,nop')[0]).toEqual({ kind: 'fastopen', hex: '' });
    expect(options('FO abcd1234,nop,nop')[0]).toEqual({ kind: 'fastopen', hex: 'abcd1234' });
    expect(options('FOEXP')[0]).toEqual({ kind: 'fastopen-exp', hex: '' });
    expect(options('FO 1234')[0]).toEqual({ kind: 'fastopen', hex: '1234' });
    expect(options('FOEXP TFO_COOKIE', { TFO_COOKIE: '3021b9d889017eeb' })[0]).toEqual({
      kind: 'fastopen-exp',
      hex: '3021b9d889017eeb',
    });
  });

  test('--define in the header feeds hex positions; -D overrides it', () => {
    const text = '--define=C=aabb\n' + FIRST + '+0 > . 1:1(0) ack 1 <FO C>\n';
    const get = (s: Script) => {
      const a = s.events[1]!.action as PacketAction;
      return a.body.kind === 'tcp' && Array.isArray(a.body.options) ? a.body.options[0] : undefined;
    };
    expect(get(parse(text))).toMatchObject({ kind: 'fastopen', hex: 'aabb' });
    expect(get(parse(text, { C: 'ccdd' }))).toMatchObject({ kind: 'fastopen', hex: 'ccdd' });
  });

  test('AccECN', () => {
    expect(option('ECN e0b 1 ceb 2 e1b 3,nop')).toEqual({ kind: 'accecn', order: ['e0b', 'ceb', 'e1b'], values: [1, 2, 3] });
    expect(option('ECN e1b 5,nop,nop,nop')).toEqual({ kind: 'accecn', order: ['e1b'], values: [5] });
  });
});

describe('MPTCP options', () => {
  test('mpcapable: nokey, one key, two keys with pin, data length, flag forms', () => {
    expect(option('mpcapable v1 flags[flag_h] nokey')).toEqual({ kind: 'mpcapable', version: 'v1', flags: 1 });
    expect(option('mpcapable v1 flags[flag_a, flag_h] key[skey], nop, nop, nop, nop, nop, nop, nop, nop')).toEqual({
      kind: 'mpcapable',
      version: 'v1',
      flags: 0x81,
      keys: [{ name: 'skey' }],
    });
    expect(option('mpcapable v0 flags 0x41 key[ckey=2, skey]')).toEqual({
      kind: 'mpcapable',
      version: 'v0',
      flags: 0x41,
      keys: [{ name: 'ckey', pinned: 2n }, { name: 'skey' }],
    });
    expect(option('mpcapable none flags[no_flags] key[ckey, skey] mpcdatalen 100, nop, nop')).toEqual({
      kind: 'mpcapable',
      version: 'none',
      flags: 0,
      keys: [{ name: 'ckey' }, { name: 'skey' }],
      dataLength: 100,
    });
  });

  test('mpcapable with data-level length and checksum (24 bytes)', () => {
    expect(option('mpcapable v1 flags[flag_a, flag_h] key[ckey, skey] mpcdatalen 100 cksum=0x1234')).toEqual({
      kind: 'mpcapable',
      version: 'v1',
      flags: 0x81,
      keys: [{ name: 'ckey' }, { name: 'skey' }],
      dataLength: 100,
      checksum: 0x1234,
    });
    // Flag A alone means a checksum field (24 bytes, no padding needed); nocs forces 22.
    expect(option('mpcapable v1 flags[flag_a, flag_h] key[ckey, skey] mpcdatalen 100')).not.toHaveProperty('checksum');
    expect(option('mpcapable v1 flags[flag_a, flag_h] key[ckey, skey] mpcdatalen 100 nocs, nop, nop')).toMatchObject({ checksum: 'none' });
    // cksum=auto: a checksum field whatever flag A says, checked outbound.
    expect(option('mpcapable v1 flags[flag_h] key[ckey, skey] mpcdatalen 100 cksum=auto')).toMatchObject({ checksum: 'auto', dataLength: 100 });
  });

  test('dss cksum=auto (tsdrill): computed inbound, checked outbound', () => {
    expect(option('dss dack8=1 dsn8=1 ssn=1 dll=100 cksum=auto')).toMatchObject({ kind: 'dss', dll: 100, checksum: 'auto', fin: false });
    expect(option('dss dack8=1 dsn8=601 ssn=0 dll=1 cksum=auto fin')).toMatchObject({ checksum: 'auto', fin: true });
  });

  test('legacy mp_capable / mp_capable_no_cs', () => {
    expect(inboundOption('mp_capable a b flag_a flag_h')).toEqual({
      kind: 'mp_capable_legacy',
      checksums: true,
      keys: [{ name: 'a' }, { name: 'b' }],
      flags: 0x81,
    });
    expect(inboundOption('mp_capable_no_cs k=18446744073709551615, nop, nop, nop, nop, nop, nop, nop, nop')).toEqual({
      kind: 'mp_capable_legacy',
      checksums: false,
      keys: [{ name: 'k', pinned: 18446744073709551615n }],
    });
    expect(inboundOption('mp_capable a no_flags, nop, nop, nop, nop, nop, nop, nop, nop')).toMatchObject({ flags: 0 });
  });

  test('mp_join_syn', () => {
    expect(option('mp_join_syn backup=1 address_id=1 token=sha256_32(skey) rand=42')).toEqual({
      kind: 'mp_join_syn',
      backup: 1,
      addressId: 1,
      token: { kind: 'hash', hash: 'sha256', key: 'skey' },
      rand: 42n,
    });
    expect(option('mp_join_syn address_id=auto token=sha1_32(k)')).toMatchObject({
      addressId: 'auto',
      token: { kind: 'hash', hash: 'sha1', key: 'k' },
    });
    expect(option('mp_join_syn token=12345')).toMatchObject({ token: { kind: 'literal', value: 12345n } });
    expect(option('mp_join_syn token=auto')).toMatchObject({ token: { kind: 'auto' } });
    expect(option('mp_join_syn')).toEqual({ kind: 'mp_join_syn' });
  });

  test('mp_join_syn_ack and mp_join_ack HMAC forms', () => {
    expect(option('mp_join_syn_ack backup=0 address_id=2 sender_hmac=auto rand=7')).toEqual({
      kind: 'mp_join_syn_ack',
      backup: 0,
      addressId: 2,
      hmac: { kind: 'auto' },
      rand: 7n,
    });
    expect(option('mp_join_syn_ack sender_hmac=trunc_l64_hmac(ckey skey)')).toMatchObject({
      hmac: { kind: 'keys', form: 'trunc_l64_hmac', first: 'ckey', second: 'skey' },
    });
    expect(option('mp_join_syn_ack sender_hmac=trunc_l64_hmac(99)')).toMatchObject({ hmac: { kind: 'literal', value: 99n } });
    expect(option('mp_join_ack sender_hmac=full_160_hmac(ckey skey)')).toEqual({
      kind: 'mp_join_ack',
      hmac: { kind: 'keys', form: 'full_160_hmac', first: 'ckey', second: 'skey' },
    });
    expect(option('mp_join_ack token=auto')).toEqual({ kind: 'mp_join_ack', hmac: { kind: 'token-auto' } });
    expect(option('mp_join_ack')).toEqual({ kind: 'mp_join_ack' });
  });

  test('dss: ack only, full mapping, checksums, fin, IDSN values', () => {
    expect(option('dss dack4=1')).toEqual({ kind: 'dss', dack: { size: 4, value: { kind: 'literal', value: 1n } }, fin: false });
    expect(option('dss dack8=1 dsn8=1 ssn=1 dll=1000 nocs fin, nop, nop')).toEqual({
      kind: 'dss',
      dack: { size: 8, value: { kind: 'literal', value: 1n } },
      dsn: { size: 8, value: { kind: 'literal', value: 1n } },
      ssn: 1n,
      dll: 1000,
      checksum: 'none',
      fin: true,
    });
    expect(option('dss dack8 dsn4 cksum=4660')).toEqual({
      kind: 'dss',
      dack: { size: 8 },
      dsn: { size: 4 },
      checksum: 4660,
      fin: false,
    });
    expect(option('dss dack8=trunc_r64_hmac(ckey) + 5 nocs')).toMatchObject({
      dack: { size: 8, value: { kind: 'idsn', key: 'ckey', plus: 5n } },
    });
    expect(option('dss dack8=trunc_r64_hmac(ckey) nocs')).toMatchObject({ dack: { value: { kind: 'idsn', key: 'ckey', plus: 0n } } });
    expect(option('dss dack8=trunc_r64_hmac_sha256(2) nocs')).toMatchObject({
      dack: { value: { kind: 'idsn-literal', hash: 'sha256', key: 2n } },
    });
    expect(option('dss dack8=trunc_r64_hmac_sha1(2) nocs')).toMatchObject({
      dack: { value: { kind: 'idsn-literal', hash: 'sha1', key: 2n } },
    });
  });

  test('add_address', () => {
    expect(option('add_address address_id=12 addr[ep=inet_addr("198.51.100.2")] port=4321 hmac=auto, nop, nop')).toEqual({
      kind: 'add_address',
      addressId: 12,
      address: { name: 'ep', family: 'ipv4', value: '198.51.100.2' },
      port: 4321,
      echo: false,
      hmac: 'auto',
    });
    expect(option('add_address addr[ep=inet6_addr("2001:db8::c1a0")] addr_echo')).toEqual({
      kind: 'add_address',
      address: { name: 'ep', family: 'ipv6', value: '2001:db8::c1a0' },
      echo: true,
    });
    expect(option('add_address addr[saddr1] hmac=1234')).toEqual({
      kind: 'add_address',
      address: { name: 'saddr1' },
      echo: false,
      hmac: 1234n,
    });
  });

  test('remove_address, mp_prio, mp_fail, mp_fastclose, mp_reset', () => {
    expect(option('remove_address address_id=[1,2], nop, nop, nop')).toEqual({ kind: 'remove_address', addressIds: [1, 2] });
    expect(option('mp_prio backup=1, nop')).toEqual({ kind: 'mp_prio', backup: 1 });
    expect(option('mp_prio backup=0 address_id=3')).toEqual({ kind: 'mp_prio', backup: 0, addressId: 3 });
    expect(option('mp_fail dsn8=100')).toEqual({ kind: 'mp_fail', dsn: { kind: 'literal', value: 100n } });
    expect(option('mp_fail dsn8')).toEqual({ kind: 'mp_fail' });
    expect(option('mp_fastclose')).toEqual({ kind: 'mp_fastclose' });
    expect(option('mp_fastclose ckey')).toEqual({ kind: 'mp_fastclose', key: { name: 'ckey' } });
    expect(option('mp_fastclose ckey=42')).toEqual({ kind: 'mp_fastclose', key: { name: 'ckey', value: 42n } });
    expect(option('mp_fastclose ckey + 5')).toEqual({ kind: 'mp_fastclose', key: { name: 'ckey', plus: 5n } });
    expect(option('mp_reset 4')).toEqual({ kind: 'mp_tcprst', reason: 4, transient: false });
    expect(option('mp_reset 1 flags[flag_t]')).toEqual({ kind: 'mp_tcprst', reason: 1, transient: true });
  });
});

describe('keywords and lexical corners', () => {
  test('a reserved word is never an identifier', () => {
    for (const w of ['fin', 'port', 'key', 'seq', 'id', 'auto', 'none', 'wscale']) {
      const e = errorOf(FIRST + `+0 close(${w}) = 0\n`);
      expect(e.kind).toBe('syntax');
      expect(e.diagnostic.notes).toContain(`note: "${w}" is a reserved word and cannot be used as a name`);
    }
  });

  test('words may start with digits; 0x1g is a word', () => {
    expect(expr('12ab')).toEqual(word('12ab'));
    expect(expr('0x1g')).toEqual(word('0x1g'));
  });

  test('errors carry a location and a kind', () => {
    const e = errorOf(FIRST + '+0 listen(3, 1 = 0\n');
    expect(e.kind).toBe('syntax');
    expect(e.diagnostic.message).toBe('Expected ")", ",", or "|", found "="');
    expect(e.diagnostic.loc.start).toEqual({ offset: FIRST.length + 15, line: 2, column: 16 });
    expect(e.message).toBe('test.pkt:2:16: syntax error: Expected ")", ",", or "|", found "="');
  });
});
