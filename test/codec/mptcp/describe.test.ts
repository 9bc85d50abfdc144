import { describe, expect, it } from 'vitest';
import { describeMptcpOption, diffMptcpOptions, type MptcpOptionPattern } from '../../../src/codec/mptcp/describe.js';
import { decodeMptcpOption, makeDss, makeMpCapable, type MptcpOption } from '../../../src/codec/mptcp/options.js';
import { hex } from './helpers.js';

const KEY_A = 0x0102030405060708n;
const KEY_B = 0x1112131415161718n;

const descriptions: { bytes: string; text: string }[] = [
  { bytes: '1e 04 01 01', text: 'mpcapable v1 flags[flag_h] nokey' },
  { bytes: '1e 04 00 00', text: 'mpcapable v0 flags[no_flags] nokey' },
  { bytes: '1e 04 05 41', text: 'mpcapable version=5 flags[flag_b,flag_h] nokey' },
  { bytes: '1e 0c 01 01 | 01 02 03 04 05 06 07 08', text: 'mpcapable v1 flags[flag_h] key[0x0102030405060708]' },
  {
    bytes: '1e 14 00 81 | 01 02 03 04 05 06 07 08 | 11 12 13 14 15 16 17 18',
    text: 'mpcapable v0 flags[flag_a,flag_h] key[0x0102030405060708,0x1112131415161718]',
  },
  {
    bytes: '1e 16 01 01 | 00 00 00 00 00 00 00 02 | 00 00 00 00 00 00 00 01 | 03 e8',
    text: 'mpcapable v1 flags[flag_h] key[0x0000000000000002,0x0000000000000001] mpcdatalen 1000',
  },
  {
    bytes: '1e 18 01 81 | 00 00 00 00 00 00 00 02 | 00 00 00 00 00 00 00 01 | 03 e8 | 00 0f',
    text: 'mpcapable v1 flags[flag_a,flag_h] key[0x0000000000000002,0x0000000000000001] mpcdatalen 1000 cksum=0x000f',
  },
  { bytes: '1e 0c 10 01 | de ad be ef | 00 00 00 2a', text: 'mp_join_syn backup=0 address_id=1 token=0xdeadbeef rand=0x0000002a' },
  {
    bytes: '1e 0c 1f 01 | de ad be ef | 00 00 00 2a',
    text: 'mp_join_syn backup=1 flags=0xf address_id=1 token=0xdeadbeef rand=0x0000002a',
  },
  {
    bytes: '1e 10 11 02 | 01 02 03 04 05 06 07 08 | 00 00 00 07',
    text: 'mp_join_syn_ack backup=1 address_id=2 sender_hmac=0x0102030405060708 rand=0x00000007',
  },
  {
    bytes: '1e 18 10 00 | 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14',
    text: 'mp_join_ack sender_hmac=0x0102030405060708090a0b0c0d0e0f1011121314',
  },
  {
    bytes: '1e 18 10 05 | 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14',
    text: 'mp_join_ack sender_hmac=0x0102030405060708090a0b0c0d0e0f1011121314 reserved=0x005',
  },
  {
    bytes: '1e 1c 20 1f | 00 00 00 00 00 00 03 e9 | 00 00 00 00 00 00 00 01 | 00 00 00 01 | 03 e8 | 12 34',
    text: 'dss dack8=1001 dsn8=1 ssn=1 dll=1000 cksum=0x1234 fin',
  },
  {
    bytes: '1e 1a 20 1f | 00 00 00 00 00 00 03 e9 | 00 00 00 00 00 00 00 01 | 00 00 00 01 | 03 e8',
    text: 'dss dack8=1001 dsn8=1 ssn=1 dll=1000 nocs fin',
  },
  { bytes: '1e 0c 20 03 | 00 00 00 00 00 00 03 e9', text: 'dss dack8=1001' },
  { bytes: '1e 08 20 01 | 00 00 03 e9', text: 'dss dack4=1001' },
  { bytes: '1e 0e 20 04 | 00 00 00 05 | 00 00 00 01 | 00 05', text: 'dss dsn4=5 ssn=1 dll=5 nocs' },
  { bytes: '1e 04 20 00', text: 'dss flags=0x00 (none)' },
  { bytes: '1e 04 20 10', text: 'dss fin flags=0x10 (F)' },
  { bytes: '1e 08 20 09 | 00 00 00 01', text: 'dss dack4=1 flags=0x09 (A m)' },
  { bytes: '1e 08 21 01 | 00 00 00 01', text: 'dss dack4=1 reserved=0x08' },
  {
    bytes: '1e 12 30 01 | c0 00 02 02 | 1f 90 | 01 02 03 04 05 06 07 08',
    text: 'add_address address_id=1 addr[inet_addr("192.0.2.2")] port=8080 hmac=0x0102030405060708',
  },
  { bytes: '1e 08 31 00 | c0 00 02 02', text: 'add_address address_id=0 addr[inet_addr("192.0.2.2")] addr_echo' },
  {
    bytes: '1e 14 31 04 | 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01',
    text: 'add_address address_id=4 addr[inet6_addr("2001:db8::1")] addr_echo',
  },
  { bytes: '1e 08 34 01 | c0 00 02 02', text: 'add_address address_id=1 addr[inet_addr("192.0.2.2")] flags=0x4' },
  { bytes: '1e 05 40 02 01', text: 'remove_address address_id=[2,1]' },
  { bytes: '1e 04 41 02', text: 'remove_address address_id=[2] reserved=0x1' },
  { bytes: '1e 03 51', text: 'mp_prio backup=1' },
  { bytes: '1e 04 50 03', text: 'mp_prio backup=0 address_id=3' },
  { bytes: '1e 0c 60 00 | 00 00 00 00 00 00 03 e9', text: 'mp_fail dsn8=1001' },
  { bytes: '1e 0c 70 00 | 11 12 13 14 15 16 17 18', text: 'mp_fastclose key[0x1112131415161718]' },
  { bytes: '1e 04 81 03', text: 'mp_reset 3 flags[flag_t]' },
  { bytes: '1e 04 80 00', text: 'mp_reset 0 flags[no_flags]' },
  { bytes: '1e 04 89 01', text: 'mp_reset 1 flags[flag_u,flag_t]' },
];

describe('describeMptcpOption', () => {
  it.each(descriptions)('$text', ({ bytes, text }) => {
    expect(describeMptcpOption(decodeMptcpOption(hex(bytes)))).toBe(text);
  });
});

const dssFull = decodeMptcpOption(
  hex('1e 1a 20 0f | 00 00 00 00 00 00 03 e9 | 00 00 00 00 00 00 00 01 | 00 00 00 01 | 03 e8'),
);
const mpcAck = makeMpCapable({ version: 1, flags: 0x01, senderKey: KEY_A, receiverKey: KEY_B });

const diffs: { name: string; expected: MptcpOptionPattern; actual: MptcpOption; lines: string[] }[] = [
  { name: 'identical DSS', expected: dssFull, actual: dssFull, lines: [] },
  {
    name: 'DSS dsn differs',
    expected: { ...dssFull, dsn: 1001n } as MptcpOption,
    actual: dssFull,
    lines: ['dss: expected dsn8=1001, got dsn8=1'],
  },
  {
    name: 'DSS wildcards: only dsn given',
    expected: { kind: 'dss', dsn: 1n, ssn: undefined },
    actual: dssFull,
    lines: [],
  },
  {
    name: 'DSS wildcard values, layout from length (checksum expected, none sent)',
    expected: { kind: 'dss', flags: 0x0f, length: 28 },
    actual: dssFull,
    lines: ['dss: expected length 28, got length 26'],
  },
  {
    name: 'DSS checksum value expected, none sent',
    expected: { kind: 'dss', checksum: 0x1234 },
    actual: dssFull,
    lines: ['dss: expected cksum=0x1234, got nocs'],
  },
  {
    name: 'DSS 4-byte vs 8-byte data ack and fin',
    expected: makeDss({ dataAck: 1001, dsn: 1n, dsn8: true, ssn: 1, dll: 1000, dataFin: true }),
    actual: dssFull,
    lines: ['dss: expected flags=0x1d (A M m F), got flags=0x0f (A a M m)'],
  },
  {
    name: 'DSS named flag views compared when flags is a wildcard',
    expected: { kind: 'dss', dataFin: true, dataAck8: false, dataAck: 1000 },
    actual: dssFull,
    lines: [
      'dss: expected no flag a (8-byte data ack), got flag a (8-byte data ack)',
      'dss: expected fin, got no fin',
      'dss: expected dack4=1000, got dack8=1001',
    ],
  },
  {
    name: 'DSS expected mapping, got ack only',
    expected: { kind: 'dss', dsn: 5n, dsn8: true, ssn: 1 },
    actual: makeDss({ dataAck: 1n, dataAck8: true }),
    lines: [
      'dss: expected flag m (8-byte dsn), got no flag m (8-byte dsn)',
      'dss: expected dsn8=5, got no dsn',
      'dss: expected ssn=1, got no ssn',
    ],
  },
  {
    name: 'different subtypes',
    expected: { kind: 'mp_join_syn' },
    actual: dssFull,
    lines: ['mptcp: expected subtype mp_join_syn, got dss dack8=1001 dsn8=1 ssn=1 dll=1000 nocs'],
  },
  {
    name: 'MP_CAPABLE flags and key',
    expected: makeMpCapable({ version: 1, flags: 0x81, senderKey: KEY_A, receiverKey: 2n }),
    actual: mpcAck,
    lines: [
      'mpcapable: expected flags[flag_a,flag_h], got flags[flag_h]',
      'mpcapable: expected receiver_key=0x0000000000000002, got receiver_key=0x1112131415161718',
    ],
  },
  {
    name: 'MP_CAPABLE version and missing key',
    expected: { kind: 'mp_capable', version: 0, senderKey: KEY_A },
    actual: makeMpCapable({ version: 1, flags: 1 }),
    lines: ['mpcapable: expected version=0, got version=1', 'mpcapable: expected sender_key=0x0102030405060708, got no sender_key'],
  },
  {
    name: 'MP_CAPABLE layout pinned by length, key a wildcard',
    expected: { kind: 'mp_capable', length: 12, senderKey: undefined },
    actual: mpcAck,
    lines: ['mpcapable: expected length 12, got length 20'],
  },
  {
    name: 'MP_CAPABLE single named flag',
    expected: { kind: 'mp_capable', flagA: true },
    actual: mpcAck,
    lines: ['mpcapable: expected flag_a, got no flag_a'],
  },
  {
    name: 'MP_JOIN SYN backup, token, id',
    expected: { kind: 'mp_join_syn', backup: true, token: 0xdeadbeef, addressId: 2 },
    actual: { kind: 'mp_join_syn', flags: 0, backup: false, addressId: 1, token: 0xcafe, nonce: 7 },
    lines: [
      'mp_join_syn: expected backup=1, got backup=0',
      'mp_join_syn: expected address_id=2, got address_id=1',
      'mp_join_syn: expected token=0xdeadbeef, got token=0x0000cafe',
    ],
  },
  {
    name: 'MP_JOIN SYN raw flags',
    expected: { kind: 'mp_join_syn', flags: 1 },
    actual: { kind: 'mp_join_syn', flags: 0, backup: false, addressId: 1, token: 0xcafe, nonce: 7 },
    lines: ['mp_join_syn: expected backup=1, got backup=0'],
  },
  {
    name: 'MP_JOIN SYN-ACK HMAC and rand',
    expected: { kind: 'mp_join_syn_ack', hmac: 1n, nonce: 5 },
    actual: { kind: 'mp_join_syn_ack', flags: 0, backup: false, addressId: 1, hmac: 2n, nonce: 5 },
    lines: ['mp_join_syn_ack: expected sender_hmac=0x0000000000000001, got sender_hmac=0x0000000000000002'],
  },
  {
    name: 'MP_JOIN ACK HMAC',
    expected: { kind: 'mp_join_ack', hmac: new Uint8Array(20).fill(1) },
    actual: { kind: 'mp_join_ack', reserved: 0, hmac: new Uint8Array(20) },
    lines: [
      'mp_join_ack: expected sender_hmac=0x0101010101010101010101010101010101010101, got sender_hmac=0x0000000000000000000000000000000000000000',
    ],
  },
  {
    name: 'ADD_ADDR equal addresses in different text forms',
    expected: { kind: 'add_address', address: '2001:0db8:0:0::1', echo: true },
    actual: decodeMptcpOption(hex('1e 14 31 04 | 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01')),
    lines: [],
  },
  {
    name: 'ADD_ADDR address, port, echo, hmac',
    expected: { kind: 'add_address', address: '192.0.2.3', port: 80, echo: false, hmac: 5n },
    actual: decodeMptcpOption(hex('1e 08 31 04 | c0 00 02 02')),
    lines: [
      'add_address: expected no addr_echo, got addr_echo',
      'add_address: expected addr[inet_addr("192.0.2.3")], got addr[inet_addr("192.0.2.2")]',
      'add_address: expected port=80, got no port',
      'add_address: expected hmac=0x0000000000000005, got no hmac',
    ],
  },
  {
    name: 'REMOVE_ADDR order matters',
    expected: { kind: 'remove_address', addressIds: [1, 2] },
    actual: { kind: 'remove_address', reserved: 0, addressIds: [2, 1] },
    lines: ['remove_address: expected address_id=[1,2], got address_id=[2,1]'],
  },
  {
    name: 'MP_PRIO backup and id',
    expected: { kind: 'mp_prio', backup: true, addressId: 3 },
    actual: { kind: 'mp_prio', flags: 0, backup: false },
    lines: ['mp_prio: expected backup=1, got backup=0', 'mp_prio: expected address_id=3, got no address_id'],
  },
  {
    name: 'MP_FAIL dsn',
    expected: { kind: 'mp_fail', dsn: 1001n },
    actual: { kind: 'mp_fail', reserved: 0, dsn: 1n },
    lines: ['mp_fail: expected dsn8=1001, got dsn8=1'],
  },
  {
    name: 'MP_FASTCLOSE key',
    expected: { kind: 'mp_fastclose', receiverKey: KEY_A },
    actual: { kind: 'mp_fastclose', reserved: 0, receiverKey: KEY_B },
    lines: ['mp_fastclose: expected key[0x0102030405060708], got key[0x1112131415161718]'],
  },
  {
    name: 'MP_TCPRST reason, transient, reserved bits',
    expected: { kind: 'mp_tcprst', reason: 3, flags: 1 },
    actual: { kind: 'mp_tcprst', flags: 8, transient: false, reason: 4 },
    lines: ['mp_reset: expected flags[flag_t], got flags[flag_u]', 'mp_reset: expected reason=3, got reason=4'],
  },
  {
    name: 'number and bigint with the same value are equal',
    expected: { kind: 'dss', dataAck: 1001 },
    actual: dssFull,
    lines: [],
  },
];

describe('diffMptcpOptions', () => {
  it.each(diffs)('$name', ({ expected, actual, lines }) => {
    expect(diffMptcpOptions(expected, actual)).toEqual(lines);
  });
});
