import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MptcpCodecError,
  decodeMptcpOption,
  encodeMptcpOption,
  makeDss,
  makeMpCapable,
  mptcpOptionLength,
  type MptcpOption,
} from '../../../src/codec/mptcp/options.js';
import { dssViews, hex, mpcViews, toHex } from './helpers.js';

const KEY_A = 0x0102030405060708n;
const KEY_B = 0x1112131415161718n;

// ---------------------------------------------------------------------------------------
// Valid cases: exact wire bytes written by hand, and the option they decode to.
// ---------------------------------------------------------------------------------------

interface ValidCase {
  name: string;
  bytes: string;
  option: MptcpOption;
}

const valid: ValidCase[] = [
  // MP_CAPABLE
  {
    name: 'MP_CAPABLE v1 SYN, no key (4)',
    bytes: '1e 04 01 81',
    option: { kind: 'mp_capable', version: 1, ...mpcViews(0x81) },
  },
  {
    name: 'MP_CAPABLE v1 SYN-ACK, sender key (12)',
    bytes: '1e 0c 01 01 | 01 02 03 04 05 06 07 08',
    option: { kind: 'mp_capable', version: 1, ...mpcViews(0x01), senderKey: KEY_A },
  },
  {
    name: 'MP_CAPABLE v1 third ACK, both keys (20)',
    bytes: '1e 14 01 01 | 01 02 03 04 05 06 07 08 | 11 12 13 14 15 16 17 18',
    option: { kind: 'mp_capable', version: 1, ...mpcViews(0x01), senderKey: KEY_A, receiverKey: KEY_B },
  },
  {
    name: 'MP_CAPABLE v1 with data-level length (22)',
    bytes: '1e 16 01 01 | 01 02 03 04 05 06 07 08 | 11 12 13 14 15 16 17 18 | 03 e8',
    option: {
      kind: 'mp_capable',
      version: 1,
      ...mpcViews(0x01),
      senderKey: KEY_A,
      receiverKey: KEY_B,
      dataLevelLength: 1000,
    },
  },
  {
    name: 'MP_CAPABLE v1 with data-level length and checksum (24)',
    bytes: '1e 18 01 81 | 01 02 03 04 05 06 07 08 | 11 12 13 14 15 16 17 18 | 03 e8 | ab cd',
    option: {
      kind: 'mp_capable',
      version: 1,
      ...mpcViews(0x81),
      senderKey: KEY_A,
      receiverKey: KEY_B,
      dataLevelLength: 1000,
      checksum: 0xabcd,
    },
  },
  {
    name: 'MP_CAPABLE v0 SYN (12), flags A|H',
    bytes: '1e 0c 00 81 | ff ee dd cc bb aa 99 88',
    option: { kind: 'mp_capable', version: 0, ...mpcViews(0x81), senderKey: 0xffeeddccbbaa9988n },
  },
  {
    name: 'MP_CAPABLE v0 third ACK (20), no flags',
    bytes: '1e 14 00 00 | 00 00 00 00 00 00 00 00 | ff ff ff ff ff ff ff ff',
    option: { kind: 'mp_capable', version: 0, ...mpcViews(0), senderKey: 0n, receiverKey: 0xffffffffffffffffn },
  },
  {
    name: 'MP_CAPABLE unknown version 15, every flag (kept)',
    bytes: '1e 04 0f ff',
    option: { kind: 'mp_capable', version: 15, ...mpcViews(0xff) },
  },
  {
    name: 'MP_CAPABLE flags B, C only',
    bytes: '1e 04 01 60',
    option: {
      kind: 'mp_capable',
      version: 1,
      flags: 0x60,
      flagA: false,
      flagB: true,
      flagC: true,
      flagD: false,
      flagE: false,
      flagF: false,
      flagG: false,
      flagH: false,
    },
  },

  // MP_JOIN
  {
    name: 'MP_JOIN SYN (12), backup, id 5',
    bytes: '1e 0c 11 05 | de ad be ef | 00 00 00 2a',
    option: { kind: 'mp_join_syn', flags: 1, backup: true, addressId: 5, token: 0xdeadbeef, nonce: 42 },
  },
  {
    name: 'MP_JOIN SYN (12), reserved bits kept',
    bytes: '1e 0c 1e ff | 00 00 00 01 | ff ff ff ff',
    option: { kind: 'mp_join_syn', flags: 0xe, backup: false, addressId: 255, token: 1, nonce: 0xffffffff },
  },
  {
    name: 'MP_JOIN SYN-ACK (16)',
    bytes: '1e 10 10 01 | 01 02 03 04 05 06 07 08 | 12 34 56 78',
    option: { kind: 'mp_join_syn_ack', flags: 0, backup: false, addressId: 1, hmac: KEY_A, nonce: 0x12345678 },
  },
  {
    name: 'MP_JOIN SYN-ACK (16), backup',
    bytes: '1e 10 11 00 | ff ff ff ff ff ff ff fe | 00 00 00 00',
    option: { kind: 'mp_join_syn_ack', flags: 1, backup: true, addressId: 0, hmac: 0xfffffffffffffffen, nonce: 0 },
  },
  {
    name: 'MP_JOIN ACK (24)',
    bytes: '1e 18 10 00 | 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14',
    option: { kind: 'mp_join_ack', reserved: 0, hmac: hex('0102030405060708090a0b0c0d0e0f1011121314') },
  },
  {
    name: 'MP_JOIN ACK (24), 12 reserved bits kept',
    bytes: '1e 18 1a bc | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    option: { kind: 'mp_join_ack', reserved: 0xabc, hmac: new Uint8Array(20) },
  },

  // DSS: the layouts of §7.1, then the corner cases
  {
    name: 'DSS dack4 (8)',
    bytes: '1e 08 20 01 | 00 00 03 e9',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x01), dataAck: 1001 },
  },
  {
    name: 'DSS dack8 (12)',
    bytes: '1e 0c 20 03 | 00 00 00 00 00 00 03 e9',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x03), dataAck: 1001n },
  },
  {
    name: 'DSS dack4 dsn4 nocs (18)',
    bytes: '1e 12 20 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 03 | 03 e8',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x05), dataAck: 1, dsn: 2, ssn: 3, dll: 1000 },
  },
  {
    name: 'DSS dack4 dsn4 cksum (20)',
    bytes: '1e 14 20 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 03 | 03 e8 | 12 34',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x05), dataAck: 1, dsn: 2, ssn: 3, dll: 1000, checksum: 0x1234 },
  },
  {
    name: 'DSS dack4 dsn8 nocs (22)',
    bytes: '1e 16 20 0d | 00 00 00 01 | 00 00 00 00 00 00 00 02 | 00 00 00 03 | 03 e8',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x0d), dataAck: 1, dsn: 2n, ssn: 3, dll: 1000 },
  },
  {
    name: 'DSS dack4 dsn8 cksum (24)',
    bytes: '1e 18 20 0d | 00 00 00 01 | 00 00 00 00 00 00 00 02 | 00 00 00 03 | 03 e8 | 00 00',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x0d), dataAck: 1, dsn: 2n, ssn: 3, dll: 1000, checksum: 0 },
  },
  {
    name: 'DSS dack8 dsn4 nocs (22)',
    bytes: '1e 16 20 07 | 00 00 00 00 00 00 00 01 | 00 00 00 02 | 00 00 00 03 | 03 e8',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x07), dataAck: 1n, dsn: 2, ssn: 3, dll: 1000 },
  },
  {
    name: 'DSS dack8 dsn4 cksum (24)',
    bytes: '1e 18 20 07 | 00 00 00 00 00 00 00 01 | 00 00 00 02 | 00 00 00 03 | 03 e8 | ff ff',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x07), dataAck: 1n, dsn: 2, ssn: 3, dll: 1000, checksum: 0xffff },
  },
  {
    name: 'DSS dack8 dsn8 nocs (26), as in `dss dack8=1 dsn8=1 ssn=1 dll=1000 nocs`',
    bytes: '1e 1a 20 0f | 00 00 00 00 00 00 00 01 | 00 00 00 00 00 00 00 01 | 00 00 00 01 | 03 e8',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x0f), dataAck: 1n, dsn: 1n, ssn: 1, dll: 1000 },
  },
  {
    name: 'DSS dack8 dsn8 cksum fin (28)',
    bytes: '1e 1c 20 1f | ff ff ff ff ff ff ff ff | 80 00 00 00 00 00 00 00 | ff ff ff ff | ff ff | be ef',
    option: {
      kind: 'dss',
      reserved: 0,
      ...dssViews(0x1f),
      dataAck: 0xffffffffffffffffn,
      dsn: 0x8000000000000000n,
      ssn: 0xffffffff,
      dll: 0xffff,
      checksum: 0xbeef,
    },
  },
  {
    name: 'DSS mapping without data ack, dsn4 (14)',
    bytes: '1e 0e 20 04 | 00 00 00 02 | 00 00 00 03 | 00 01',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x04), dsn: 2, ssn: 3, dll: 1 },
  },
  {
    name: 'DSS mapping without data ack, dsn8 cksum (20)',
    bytes: '1e 14 20 0c | 00 00 00 00 00 00 00 02 | 00 00 00 03 | 00 01 | 00 01',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x0c), dsn: 2n, ssn: 3, dll: 1, checksum: 1 },
  },
  {
    name: 'DSS dack4 with DATA_FIN flag and no mapping (8)',
    bytes: '1e 08 20 11 | 00 00 00 07',
    option: { kind: 'dss', reserved: 0, ...dssViews(0x11), dataAck: 7 },
  },
  {
    name: 'DSS with no flags at all (4)',
    bytes: '1e 04 20 00',
    option: { kind: 'dss', reserved: 0, ...dssViews(0) },
  },
  {
    name: 'DSS a and m without A and M (4): kept, change nothing',
    bytes: '1e 04 20 0a',
    option: {
      kind: 'dss',
      reserved: 0,
      flags: 0x0a,
      dataAckPresent: false,
      dataAck8: true,
      mappingPresent: false,
      dsn8: true,
      dataFin: false,
    },
  },
  {
    name: 'DSS with all 7 reserved bits set (8)',
    bytes: '1e 08 2f e1 | 00 00 00 01',
    option: { kind: 'dss', reserved: 0x7f, ...dssViews(0x01), dataAck: 1 },
  },

  // ADD_ADDR: all eight lengths
  {
    name: 'ADD_ADDR v4 (8), E=0 without HMAC (RFC 6824 length)',
    bytes: '1e 08 30 01 | c0 00 02 02',
    option: { kind: 'add_address', flags: 0, echo: false, addressId: 1, address: '192.0.2.2' },
  },
  {
    name: 'ADD_ADDR v4 echo (8)',
    bytes: '1e 08 31 01 | c0 00 02 02',
    option: { kind: 'add_address', flags: 1, echo: true, addressId: 1, address: '192.0.2.2' },
  },
  {
    name: 'ADD_ADDR v4 echo + port (10)',
    bytes: '1e 0a 31 02 | 0a 00 00 01 | 1f 90',
    option: { kind: 'add_address', flags: 1, echo: true, addressId: 2, address: '10.0.0.1', port: 8080 },
  },
  {
    name: 'ADD_ADDR v4 + HMAC (16)',
    bytes: '1e 10 30 01 | c0 00 02 02 | 01 02 03 04 05 06 07 08',
    option: { kind: 'add_address', flags: 0, echo: false, addressId: 1, address: '192.0.2.2', hmac: KEY_A },
  },
  {
    name: 'ADD_ADDR v4 + port + HMAC (18)',
    bytes: '1e 12 30 03 | ff ff ff ff | 00 50 | 01 02 03 04 05 06 07 08',
    option: { kind: 'add_address', flags: 0, echo: false, addressId: 3, address: '255.255.255.255', port: 80, hmac: KEY_A },
  },
  {
    name: 'ADD_ADDR v6 echo (20)',
    bytes: '1e 14 31 04 | 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01',
    option: { kind: 'add_address', flags: 1, echo: true, addressId: 4, address: '2001:db8::1' },
  },
  {
    name: 'ADD_ADDR v6 echo + port (22)',
    bytes: '1e 16 31 04 | fe 80 00 00 00 00 00 00 02 00 00 00 00 00 00 00 | 00 16',
    option: { kind: 'add_address', flags: 1, echo: true, addressId: 4, address: 'fe80::200:0:0:0', port: 22 },
  },
  {
    name: 'ADD_ADDR v6 + HMAC (28)',
    bytes: '1e 1c 30 00 | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 11 12 13 14 15 16 17 18',
    option: { kind: 'add_address', flags: 0, echo: false, addressId: 0, address: '::', hmac: KEY_B },
  },
  {
    name: 'ADD_ADDR v6 + port + HMAC (30)',
    bytes: '1e 1e 30 09 | 20 01 0d b8 00 01 00 00 00 00 00 01 00 00 00 01 | ff ff | 11 12 13 14 15 16 17 18',
    option: {
      kind: 'add_address',
      flags: 0,
      echo: false,
      addressId: 9,
      address: '2001:db8:1::1:0:1',
      port: 65535,
      hmac: KEY_B,
    },
  },
  {
    name: 'ADD_ADDR RFC 6824 IPVer=4 nibble kept in flags (8)',
    bytes: '1e 08 34 01 | c0 00 02 02',
    option: { kind: 'add_address', flags: 4, echo: false, addressId: 1, address: '192.0.2.2' },
  },

  // REMOVE_ADDR
  {
    name: 'REMOVE_ADDR one id (4)',
    bytes: '1e 04 40 01',
    option: { kind: 'remove_address', reserved: 0, addressIds: [1] },
  },
  {
    name: 'REMOVE_ADDR three ids, wire order kept (6)',
    bytes: '1e 06 40 02 01 07',
    option: { kind: 'remove_address', reserved: 0, addressIds: [2, 1, 7] },
  },
  {
    name: 'REMOVE_ADDR reserved nibble kept (4)',
    bytes: '1e 04 4f 00',
    option: { kind: 'remove_address', reserved: 0xf, addressIds: [0] },
  },

  // MP_PRIO
  { name: 'MP_PRIO backup (3)', bytes: '1e 03 51', option: { kind: 'mp_prio', flags: 1, backup: true } },
  { name: 'MP_PRIO not backup (3)', bytes: '1e 03 50', option: { kind: 'mp_prio', flags: 0, backup: false } },
  {
    name: 'MP_PRIO backup with address id (4, RFC 6824)',
    bytes: '1e 04 51 03',
    option: { kind: 'mp_prio', flags: 1, backup: true, addressId: 3 },
  },
  { name: 'MP_PRIO reserved bits kept (3)', bytes: '1e 03 5e', option: { kind: 'mp_prio', flags: 0xe, backup: false } },

  // MP_FAIL, MP_FASTCLOSE
  {
    name: 'MP_FAIL (12)',
    bytes: '1e 0c 60 00 | 00 00 00 00 00 00 03 e9',
    option: { kind: 'mp_fail', reserved: 0, dsn: 1001n },
  },
  {
    name: 'MP_FAIL reserved bits kept (12)',
    bytes: '1e 0c 6f ff | ff ff ff ff ff ff ff ff',
    option: { kind: 'mp_fail', reserved: 0xfff, dsn: 0xffffffffffffffffn },
  },
  {
    name: 'MP_FASTCLOSE (12)',
    bytes: '1e 0c 70 00 | 11 12 13 14 15 16 17 18',
    option: { kind: 'mp_fastclose', reserved: 0, receiverKey: KEY_B },
  },
  {
    name: 'MP_FASTCLOSE reserved bits kept (12)',
    bytes: '1e 0c 70 01 | 00 00 00 00 00 00 00 00',
    option: { kind: 'mp_fastclose', reserved: 1, receiverKey: 0n },
  },

  // MP_TCPRST
  {
    name: 'MP_TCPRST transient, reason 3 (4)',
    bytes: '1e 04 81 03',
    option: { kind: 'mp_tcprst', flags: 1, transient: true, reason: 3 },
  },
  { name: 'MP_TCPRST no flags (4)', bytes: '1e 04 80 00', option: { kind: 'mp_tcprst', flags: 0, transient: false, reason: 0 } },
  {
    name: 'MP_TCPRST U V W bits kept, not transient (4)',
    bytes: '1e 04 8e ff',
    option: { kind: 'mp_tcprst', flags: 0xe, transient: false, reason: 255 },
  },
];

describe('MPTCP option codec: valid options', () => {
  it.each(valid)('$name', ({ bytes, option }) => {
    const wire = hex(bytes);
    const decoded = decodeMptcpOption(wire);
    expect(decoded).toEqual(option);
    expect(toHex(encodeMptcpOption(option))).toBe(toHex(wire));
    expect(toHex(encodeMptcpOption(decoded))).toBe(toHex(wire));
    expect(mptcpOptionLength(option)).toBe(wire.length);
  });

  it('decodes from a view into a larger buffer (non-zero byteOffset)', () => {
    const big = hex('01 01 | 1e 0c 11 05 de ad be ef 00 00 00 2a | 00');
    expect(decodeMptcpOption(big.subarray(2, 14))).toEqual(valid.find((c) => c.bytes.startsWith('1e 0c 11 05'))!.option);
  });

  it('does not alias the input: the decoded MP_JOIN ACK hmac is a copy', () => {
    const wire = hex('1e 18 10 00' + ' 00'.repeat(20));
    const opt = decodeMptcpOption(wire);
    wire[10] = 0xff;
    expect(opt.kind === 'mp_join_ack' && opt.hmac[6]).toBe(0);
  });
});

describe('DSS: every flag combination, with and without checksum', () => {
  // Builds the wire bytes with a second, straightforward layout description.
  const cases: { flags: number; checksum: boolean }[] = [];
  for (let flags = 0; flags < 32; flags++) {
    cases.push({ flags, checksum: false });
    if (flags & 0x04) cases.push({ flags, checksum: true });
  }
  it.each(cases)('flags 0x$flags checksum=$checksum', ({ flags, checksum }) => {
    const parts: number[] = [0x1e, 0, 0x20, flags];
    const A = flags & 1;
    const a = flags & 2;
    const M = flags & 4;
    const m = flags & 8;
    if (A) parts.push(...(a ? [0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd] : [0xaa, 0xbb, 0xcc, 0xdd]));
    if (M) {
      parts.push(...(m ? [0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44] : [0x11, 0x22, 0x33, 0x44]));
      parts.push(0, 0, 0, 9, 0x05, 0xdc);
      if (checksum) parts.push(0xca, 0xfe);
    }
    parts[1] = parts.length;
    const wire = Uint8Array.from(parts);
    const opt = decodeMptcpOption(wire);
    expect(opt).toMatchObject({ kind: 'dss', reserved: 0, ...dssViews(flags) });
    if (opt.kind !== 'dss') throw new Error('not dss');
    expect(opt.dataAck).toEqual(A ? (a ? 0xaabbccddn : 0xaabbccdd) : undefined);
    expect(opt.dsn).toEqual(M ? (m ? 0x111223344n : 0x11223344) : undefined);
    expect(opt.ssn).toEqual(M ? 9 : undefined);
    expect(opt.dll).toEqual(M ? 1500 : undefined);
    expect(opt.checksum).toEqual(checksum ? 0xcafe : undefined);
    expect(toHex(encodeMptcpOption(opt))).toBe(toHex(wire));
    // The other length for the same flags is the other checksum layout (or invalid).
    const other = Uint8Array.from([...parts.slice(0, parts.length), 0, 0]);
    other[1] = other.length;
    if (M && !checksum) expect(decodeMptcpOption(other)).toMatchObject({ checksum: 0 });
    else expect(() => decodeMptcpOption(other)).toThrow(MptcpCodecError);
  });
});

// ---------------------------------------------------------------------------------------
// Invalid wire bytes, with the exact message
// ---------------------------------------------------------------------------------------

const invalid: { name: string; bytes: string; message: string }[] = [
  { name: 'empty', bytes: '', message: 'MPTCP option: 0 byte(s) is too short (kind, length and subtype take 3)' },
  { name: 'kind and length only', bytes: '1e 02', message: 'MPTCP option: 2 byte(s) is too short (kind, length and subtype take 3)' },
  { name: 'not kind 30', bytes: '02 04 05 b4', message: 'MPTCP option: kind 2 is not 30' },
  { name: 'length byte too big', bytes: '1e 05 01 81', message: 'MPTCP option: length byte 5 does not match the 4 bytes given' },
  { name: 'length byte too small', bytes: '1e 03 01 81', message: 'MPTCP option: length byte 3 does not match the 4 bytes given' },
  {
    name: 'MP_CAPABLE length 3',
    bytes: '1e 03 01',
    message:
      'MP_CAPABLE: length 3 is not one of 4 (no key), 12 (sender key), 20 (both keys), 22 (both keys + data-level length), 24 (+ checksum)',
  },
  {
    name: 'MP_CAPABLE length 13',
    bytes: '1e 0d 01 01 | 01 02 03 04 05 06 07 08 09',
    message:
      'MP_CAPABLE: length 13 is not one of 4 (no key), 12 (sender key), 20 (both keys), 22 (both keys + data-level length), 24 (+ checksum)',
  },
  {
    name: 'MP_JOIN length 13',
    bytes: '1e 0d 11 05 | de ad be ef | 00 00 00 2a | 00',
    message: 'MP_JOIN: length 13 is not one of 12 (SYN), 16 (SYN-ACK), 24 (ACK)',
  },
  { name: 'MP_JOIN length 3', bytes: '1e 03 10', message: 'MP_JOIN: length 3 is not one of 12 (SYN), 16 (SYN-ACK), 24 (ACK)' },
  { name: 'DSS length 3', bytes: '1e 03 20', message: 'DSS: length 3 is too short (at least 4)' },
  {
    name: 'DSS A+M, 1 byte too long for nocs, 1 short for cksum',
    bytes: '1e 13 20 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 03 | 03 e8 | 00',
    message: 'DSS: length 19 does not match flags 0x05 (A M): expected 18 (no checksum) or 20 (checksum)',
  },
  {
    name: 'DSS dack only with 2 extra bytes (no checksum without mapping)',
    bytes: '1e 0a 20 01 | 00 00 00 01 | 00 00',
    message: 'DSS: length 10 does not match flags 0x01 (A): expected 8',
  },
  {
    name: 'DSS dack8 flag but 4-byte ack',
    bytes: '1e 08 20 03 | 00 00 00 01',
    message: 'DSS: length 8 does not match flags 0x03 (A a): expected 12',
  },
  {
    name: 'DSS no flags with trailing bytes',
    bytes: '1e 06 20 e0 | 00 00',
    message: 'DSS: length 6 does not match flags 0x00 (none): expected 4',
  },
  {
    name: 'DSS full layout truncated (dll missing)',
    bytes: '1e 18 20 1f | 00 00 00 00 00 00 00 01 | 00 00 00 00 00 00 00 01 | 00 00 00 01',
    message: 'DSS: length 24 does not match flags 0x1f (A a M m F): expected 26 (no checksum) or 28 (checksum)',
  },
  {
    name: 'ADD_ADDR length 9',
    bytes: '1e 09 30 01 | c0 00 02 02 | 00',
    message: 'ADD_ADDR: length 9 is not one of 8, 10, 16, 18 (IPv4) or 20, 22, 28, 30 (IPv6)',
  },
  {
    name: 'ADD_ADDR length 4',
    bytes: '1e 04 30 01',
    message: 'ADD_ADDR: length 4 is not one of 8, 10, 16, 18 (IPv4) or 20, 22, 28, 30 (IPv6)',
  },
  { name: 'REMOVE_ADDR without ids', bytes: '1e 03 40', message: 'REMOVE_ADDR: length 3 carries no address id (at least 4)' },
  { name: 'MP_PRIO length 5', bytes: '1e 05 51 03 00', message: 'MP_PRIO: length 5 is not one of 3, 4 (with address id)' },
  { name: 'MP_FAIL length 11', bytes: '1e 0b 60 00 | 00 00 00 00 00 00 01', message: 'MP_FAIL: length 11 is not 12' },
  { name: 'MP_FAIL length 4', bytes: '1e 04 60 00', message: 'MP_FAIL: length 4 is not 12' },
  {
    name: 'MP_FASTCLOSE length 13',
    bytes: '1e 0d 70 00 | 00 00 00 00 00 00 00 00 | 00',
    message: 'MP_FASTCLOSE: length 13 is not 12',
  },
  { name: 'MP_TCPRST length 3', bytes: '1e 03 81', message: 'MP_TCPRST: length 3 is not 4' },
  { name: 'MP_TCPRST length 5', bytes: '1e 05 81 03 00', message: 'MP_TCPRST: length 5 is not 4' },
  { name: 'unknown subtype 9', bytes: '1e 04 90 00', message: 'MPTCP option: unknown subtype 9' },
  {
    name: 'MP_EXPERIMENTAL (15)',
    bytes: '1e 04 f0 00',
    message: 'MPTCP option: subtype 15 (MP_EXPERIMENTAL) is not supported',
  },
];

describe('MPTCP option codec: invalid wire bytes', () => {
  it.each(invalid)('$name', ({ bytes, message }) => {
    let error: unknown;
    try {
      decodeMptcpOption(hex(bytes));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MptcpCodecError);
    expect((error as Error).message).toBe(message);
    expect((error as Error).name).toBe('MptcpCodecError');
  });

  it('rejects a non-Uint8Array input with MptcpCodecError', () => {
    expect(() => decodeMptcpOption([30, 4, 0x81, 3] as unknown as Uint8Array)).toThrow(
      new MptcpCodecError('MPTCP option: input is not a Uint8Array'),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Invalid values given to the encoder
// ---------------------------------------------------------------------------------------

const dssAck = makeDss({ dataAck: 1 });
const invalidEncode: { name: string; option: unknown; message: string }[] = [
  {
    name: 'MP_CAPABLE named flag disagrees with flags',
    option: { ...makeMpCapable({ version: 1, flags: 0x01 }), flagA: true },
    message: 'MP_CAPABLE: flagA=true disagrees with flags=0x01',
  },
  {
    name: 'MP_CAPABLE receiver key without sender key',
    option: makeMpCapable({ version: 1, flags: 1, receiverKey: 1n }),
    message: 'MP_CAPABLE: receiverKey needs senderKey',
  },
  {
    name: 'MP_CAPABLE data-level length without keys',
    option: makeMpCapable({ version: 1, flags: 1, senderKey: 1n, dataLevelLength: 5 }),
    message: 'MP_CAPABLE: dataLevelLength needs both keys',
  },
  {
    name: 'MP_CAPABLE key over 64 bits',
    option: makeMpCapable({ version: 1, flags: 1, senderKey: 1n << 64n }),
    message: 'MP_CAPABLE: senderKey 18446744073709551616 is not an unsigned 64-bit bigint',
  },
  {
    name: 'MP_CAPABLE key given as number',
    option: makeMpCapable({ version: 1, flags: 1, senderKey: 5 as unknown as bigint }),
    message: 'MP_CAPABLE: senderKey 5 is not an unsigned 64-bit bigint',
  },
  {
    name: 'MP_CAPABLE version 16',
    option: makeMpCapable({ version: 16, flags: 1 }),
    message: 'MP_CAPABLE: version 16 is not an unsigned 4-bit integer',
  },
  {
    name: 'MP_JOIN SYN backup disagrees',
    option: { kind: 'mp_join_syn', flags: 0, backup: true, addressId: 1, token: 1, nonce: 1 },
    message: 'MP_JOIN: backup=true disagrees with flags=0x0',
  },
  {
    name: 'MP_JOIN SYN token negative',
    option: { kind: 'mp_join_syn', flags: 0, backup: false, addressId: 1, token: -1, nonce: 1 },
    message: 'MP_JOIN: token -1 is not an unsigned 32-bit integer',
  },
  {
    name: 'MP_JOIN SYN address id 256',
    option: { kind: 'mp_join_syn', flags: 0, backup: false, addressId: 256, token: 1, nonce: 1 },
    message: 'MP_JOIN: addressId 256 is not an unsigned 8-bit integer',
  },
  {
    name: 'MP_JOIN ACK HMAC of 19 bytes',
    option: { kind: 'mp_join_ack', reserved: 0, hmac: new Uint8Array(19) },
    message: 'MP_JOIN: ACK hmac must be 20 bytes, got 19',
  },
  {
    name: 'DSS data ack missing',
    option: { ...dssAck, dataAck: undefined },
    message: 'DSS: dataAck is missing but flags=0x01 (A) has A',
  },
  {
    name: 'DSS data ack without A',
    option: { ...makeDss({}), dataAck: 1 },
    message: 'DSS: dataAck is set but flags=0x00 (none) has no A',
  },
  {
    name: 'DSS checksum without mapping',
    option: { ...dssAck, checksum: 1 },
    message: 'DSS: checksum is set but flags=0x01 (A) has no M',
  },
  {
    name: 'DSS ssn missing',
    option: { ...makeDss({ dataAck: 1, dsn: 1 }), ssn: undefined },
    message: 'DSS: ssn is missing but flags=0x05 (A M) has M',
  },
  {
    name: 'DSS 4-byte ack too big',
    option: makeDss({ dataAck: 2 ** 32 }),
    message: 'DSS: dataAck 4294967296 does not fit in 4 bytes',
  },
  {
    name: 'DSS dataFin view disagrees',
    option: { ...dssAck, dataFin: true },
    message: 'DSS: dataFin=true disagrees with flags=0x01 (A)',
  },
  {
    name: 'DSS reserved too big',
    option: { ...dssAck, reserved: 0x80 },
    message: 'DSS: reserved 128 is not an unsigned 7-bit integer',
  },
  {
    name: 'ADD_ADDR bad address',
    option: { kind: 'add_address', flags: 0, echo: false, addressId: 1, address: '1.2.3' },
    message: 'ADD_ADDR: address "1.2.3" is not an IPv4 or IPv6 address',
  },
  {
    name: 'ADD_ADDR echo disagrees',
    option: { kind: 'add_address', flags: 0, echo: true, addressId: 1, address: '1.2.3.4' },
    message: 'ADD_ADDR: echo=true disagrees with flags=0x0',
  },
  {
    name: 'REMOVE_ADDR with no ids',
    option: { kind: 'remove_address', reserved: 0, addressIds: [] },
    message: 'REMOVE_ADDR: addressIds must list 1 to 252 ids, got 0',
  },
  {
    name: 'REMOVE_ADDR id 300',
    option: { kind: 'remove_address', reserved: 0, addressIds: [1, 300] },
    message: 'REMOVE_ADDR: addressIds[1] 300 is not an unsigned 8-bit integer',
  },
  {
    name: 'MP_PRIO backup disagrees',
    option: { kind: 'mp_prio', flags: 1, backup: false },
    message: 'MP_PRIO: backup=false disagrees with flags=0x1',
  },
  {
    name: 'MP_FAIL dsn negative',
    option: { kind: 'mp_fail', reserved: 0, dsn: -1n },
    message: 'MP_FAIL: dsn -1 is not an unsigned 64-bit bigint',
  },
  {
    name: 'MP_TCPRST transient disagrees',
    option: { kind: 'mp_tcprst', flags: 0, transient: true, reason: 1 },
    message: 'MP_TCPRST: transient=true disagrees with flags=0x0',
  },
  { name: 'unknown kind', option: { kind: 'mp_bogus' }, message: 'MPTCP option: unknown kind "mp_bogus"' },
];

describe('MPTCP option codec: invalid values for the encoder', () => {
  it.each(invalidEncode)('$name', ({ option, message }) => {
    expect(() => encodeMptcpOption(option as MptcpOption)).toThrow(new MptcpCodecError(message));
  });
});

describe('builders', () => {
  it('makeDss computes flags from the given fields', () => {
    const opt = makeDss({ dataAck: 1001n, dataAck8: true, dsn: 1n, dsn8: true, ssn: 1, dll: 1000, dataFin: true });
    expect(opt).toEqual({ kind: 'dss', reserved: 0, ...dssViews(0x1f), dataAck: 1001n, dsn: 1n, ssn: 1, dll: 1000 });
    expect(toHex(encodeMptcpOption(opt))).toBe(
      toHex(hex('1e 1a 20 1f | 00 00 00 00 00 00 03 e9 | 00 00 00 00 00 00 00 01 | 00 00 00 01 | 03 e8')),
    );
  });

  it('encoder accepts a number for an 8-byte field and a bigint for a 4-byte one when they fit', () => {
    const a = { ...makeDss({ dataAck: 0, dataAck8: true, dsn: 0, ssn: 0, dll: 0 }), dataAck: 1001, dsn: 7n };
    expect(toHex(encodeMptcpOption(a))).toBe(toHex(hex('1e 16 20 07 | 00 00 00 00 00 00 03 e9 | 00 00 00 07 | 00 00 00 00 | 00 00')));
  });
});

// ---------------------------------------------------------------------------------------
// Fuzz: random kind-30 byte strings decode (and then round-trip) or throw MptcpCodecError
// ---------------------------------------------------------------------------------------

describe('fuzz', () => {
  it('5,000 random kind-30 byte strings: decode and round-trip, or MptcpCodecError', () => {
    let decoded = 0;
    let rejected = 0;
    const arb = fc
      .tuple(
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.integer({ min: 0, max: 15 }), // subtype
        fc.integer({ min: 0, max: 9 }), // 0: keep a random length byte, else set it right
      )
      .map(([raw, subtype, lenMode]) => {
        const b = Uint8Array.from(raw);
        if (b.length > 0) b[0] = 30;
        if (b.length > 1 && lenMode !== 0) b[1] = b.length;
        if (b.length > 2) b[2] = (subtype << 4) | (b[2]! & 0x0f);
        return b;
      });
    fc.assert(
      fc.property(arb, (bytes) => {
        let opt: MptcpOption;
        try {
          opt = decodeMptcpOption(bytes);
        } catch (e) {
          if (!(e instanceof MptcpCodecError)) throw e;
          rejected++;
          return;
        }
        decoded++;
        expect(toHex(encodeMptcpOption(opt))).toBe(toHex(bytes));
      }),
      { numRuns: 5000, seed: 0x5eed },
    );
    expect(decoded + rejected).toBe(5000);
    // Enough of both outcomes for the test to mean something.
    expect(decoded).toBeGreaterThan(250);
    expect(rejected).toBeGreaterThan(250);
  });

  it('every length 0..255 for every subtype with a zero body: decode or MptcpCodecError', () => {
    for (let subtype = 0; subtype < 16; subtype++) {
      for (let len = 0; len < 256; len++) {
        const b = new Uint8Array(len);
        if (len > 0) b[0] = 30;
        if (len > 1) b[1] = len;
        if (len > 2) b[2] = subtype << 4;
        try {
          const opt = decodeMptcpOption(b);
          expect(toHex(encodeMptcpOption(opt))).toBe(toHex(b));
        } catch (e) {
          expect(e).toBeInstanceOf(MptcpCodecError);
        }
      }
    }
  });
});
