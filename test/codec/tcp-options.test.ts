import { describe, expect, it } from 'vitest';
import { decodeTcpOptions, describeTcpOption, encodeTcpOptions, type TcpOption } from '../../src/codec/tcp-options.js';
import { CodecError } from '../../src/codec/errors.js';

// valid: [description, option, exact wire bytes written by hand from RFC 9293/7323/2018/7413]
const valid: [string, TcpOption, string][] = [
  ['mss', { kind: 'mss', mss: 1460 }, '020405b4'],
  ['wscale', { kind: 'wscale', shift: 7 }, '030307'],
  ['sackOK', { kind: 'sackOK' }, '0402'],
  ['sack, two blocks', { kind: 'sack', blocks: [[1, 2], [0xfffffffe, 0xffffffff]] }, '05120000000100000002fffffffeffffffff'],
  ['timestamps', { kind: 'timestamp', val: 100, ecr: 0xdeadbeef }, '080a00000064deadbeef'],
  ['md5', { kind: 'md5', digest: Uint8Array.from([1, 2, 3, 4]) }, '130601020304'],
  ['Fast Open cookie', { kind: 'fastopen', cookie: Uint8Array.from(Buffer.from('3021b9d889017eeb', 'hex')) }, '220a3021b9d889017eeb'],
  ['Fast Open request (no cookie)', { kind: 'fastopen', cookie: new Uint8Array(0) }, '2202'],
  ['experimental Fast Open', { kind: 'fastopen-exp', cookie: Uint8Array.from([0xaa, 0xbb]) }, 'fe06f989aabb'],
  ['MPTCP kept whole', { kind: 'mptcp', bytes: Uint8Array.from([30, 4, 0x01, 0x01]) }, '1e040101'],
  ['unknown kind', { kind: 'unknown', code: 99, data: Uint8Array.from([7]) }, '630307'],
];

describe('TCP options codec', () => {
  it.each(valid)('%s encodes to the RFC bytes and decodes back', (_n, opt, hex) => {
    expect(Buffer.from(encodeTcpOptions([opt])).toString('hex')).toBe(hex);
    expect(decodeTcpOptions(Buffer.from(hex, 'hex'))).toEqual([opt]);
  });

  it('decodes nop/eol padding in place', () => {
    expect(decodeTcpOptions(Buffer.from('0101040200', 'hex'))).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }, { kind: 'eol' }]);
  });

  it.each([
    ['a missing length byte', '02', /no length byte/],
    ['a length running past the end', '0208', /bad length 8/],
    ['a length below 2', '0501', /bad length 1/],
    ['a wrong mss length', '0203ff', /mss: length 3, expected 4/],
    ['a sack length that is not 2+8n', '0505000000', /not 2 \+ 8n/],
  ])('rejects %s with a CodecError naming the option', (_n, hex, msg) => {
    expect(() => decodeTcpOptions(Buffer.from(hex, 'hex'))).toThrow(CodecError);
    expect(() => decodeTcpOptions(Buffer.from(hex, 'hex'))).toThrow(msg);
  });

  it('describes options in the script spelling', () => {
    expect(valid.map(([, o]) => describeTcpOption(o))).toEqual([
      'mss 1460',
      'wscale 7',
      'sackOK',
      'sack 1:2 4294967294:4294967295',
      'TS val 100 ecr 3735928559',
      'md5 01020304',
      'FO 3021b9d889017eeb',
      'FO',
      'FOEXP aabb',
      'mpcapable v1 flags[flag_h] nokey',
      'kind 99 07',
    ]);
  });
});
