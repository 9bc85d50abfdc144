import { CodecError } from './errors.js';
import { describeMptcpOption } from './mptcp/describe.js';
import { decodeMptcpOption } from './mptcp/options.js';

export const TCPOPT = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
  MD5: 19,
  MPTCP: 30,
  FASTOPEN: 34,
  ACCECN0: 172,
  ACCECN1: 174,
  EXP: 254,
} as const;

/** The magic that follows kind 254 for the experimental TCP Fast Open option (RFC 7413 §9). */
export const TCPOPT_FASTOPEN_MAGIC = 0xf989;

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; mss: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'timestamp'; val: number; ecr: number }
  | { kind: 'md5'; digest: Uint8Array }
  | { kind: 'fastopen'; cookie: Uint8Array }
  | { kind: 'fastopen-exp'; cookie: Uint8Array }
  | { kind: 'accecn'; code: 172 | 174; counters: number[] }
  /** MPTCP (kind 30): `bytes` is the whole option, kind and length included. */
  | { kind: 'mptcp'; bytes: Uint8Array }
  | { kind: 'unknown'; code: number; data: Uint8Array };

/** Decodes the option bytes of a TCP header. Throws CodecError on a truncated or bad option. */
export function decodeTcpOptions(bytes: Uint8Array): TcpOption[] {
  const out: TcpOption[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  while (i < bytes.length) {
    const code = bytes[i]!;
    if (code === TCPOPT.EOL) {
      out.push({ kind: 'eol' });
      i++;
      continue;
    }
    if (code === TCPOPT.NOP) {
      out.push({ kind: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) throw new CodecError(`TCP option kind ${code} at offset ${i}: no length byte`);
    const len = bytes[i + 1]!;
    if (len < 2 || i + len > bytes.length)
      throw new CodecError(`TCP option kind ${code} at offset ${i}: bad length ${len} (${bytes.length - i} bytes left)`);
    const body = bytes.subarray(i + 2, i + len);
    const expectLen = (want: number, name: string) => {
      if (len !== want) throw new CodecError(`TCP option ${name}: length ${len}, expected ${want}`);
    };
    switch (code) {
      case TCPOPT.MSS:
        expectLen(4, 'mss');
        out.push({ kind: 'mss', mss: view.getUint16(i + 2) });
        break;
      case TCPOPT.WSCALE:
        expectLen(3, 'wscale');
        out.push({ kind: 'wscale', shift: bytes[i + 2]! });
        break;
      case TCPOPT.SACK_PERMITTED:
        expectLen(2, 'sackOK');
        out.push({ kind: 'sackOK' });
        break;
      case TCPOPT.SACK: {
        if ((len - 2) % 8 !== 0) throw new CodecError(`TCP option sack: length ${len} is not 2 + 8n`);
        const blocks: [number, number][] = [];
        for (let j = i + 2; j < i + len; j += 8) blocks.push([view.getUint32(j), view.getUint32(j + 4)]);
        out.push({ kind: 'sack', blocks });
        break;
      }
      case TCPOPT.TIMESTAMP:
        expectLen(10, 'TS');
        out.push({ kind: 'timestamp', val: view.getUint32(i + 2), ecr: view.getUint32(i + 6) });
        break;
      case TCPOPT.MD5:
        out.push({ kind: 'md5', digest: Uint8Array.from(body) });
        break;
      case TCPOPT.FASTOPEN:
        out.push({ kind: 'fastopen', cookie: Uint8Array.from(body) });
        break;
      case TCPOPT.MPTCP:
        out.push({ kind: 'mptcp', bytes: Uint8Array.from(bytes.subarray(i, i + len)) });
        break;
      case TCPOPT.ACCECN0:
      case TCPOPT.ACCECN1: {
        const counters: number[] = [];
        for (let j = 0; j + 3 <= body.length; j += 3) counters.push((body[j]! << 16) | (body[j + 1]! << 8) | body[j + 2]!);
        out.push({ kind: 'accecn', code, counters });
        break;
      }
      case TCPOPT.EXP:
        if (len >= 4 && view.getUint16(i + 2) === TCPOPT_FASTOPEN_MAGIC) {
          out.push({ kind: 'fastopen-exp', cookie: Uint8Array.from(bytes.subarray(i + 4, i + len)) });
          break;
        }
        out.push({ kind: 'unknown', code, data: Uint8Array.from(body) });
        break;
      default:
        out.push({ kind: 'unknown', code, data: Uint8Array.from(body) });
    }
    i += len;
  }
  return out;
}

/** Encodes options in order, without padding (scripts pad with nop themselves). */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push((v >>> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  for (const o of options) {
    switch (o.kind) {
      case 'eol':
        parts.push(TCPOPT.EOL);
        break;
      case 'nop':
        parts.push(TCPOPT.NOP);
        break;
      case 'mss':
        parts.push(TCPOPT.MSS, 4);
        u16(o.mss);
        break;
      case 'wscale':
        parts.push(TCPOPT.WSCALE, 3, o.shift);
        break;
      case 'sackOK':
        parts.push(TCPOPT.SACK_PERMITTED, 2);
        break;
      case 'sack':
        parts.push(TCPOPT.SACK, 2 + 8 * o.blocks.length);
        for (const [l, r] of o.blocks) {
          u32(l);
          u32(r);
        }
        break;
      case 'timestamp':
        parts.push(TCPOPT.TIMESTAMP, 10);
        u32(o.val);
        u32(o.ecr);
        break;
      case 'md5':
        parts.push(TCPOPT.MD5, 2 + o.digest.length, ...o.digest);
        break;
      case 'fastopen':
        parts.push(TCPOPT.FASTOPEN, 2 + o.cookie.length, ...o.cookie);
        break;
      case 'fastopen-exp':
        parts.push(TCPOPT.EXP, 4 + o.cookie.length);
        u16(TCPOPT_FASTOPEN_MAGIC);
        parts.push(...o.cookie);
        break;
      case 'accecn':
        parts.push(o.code, 2 + 3 * o.counters.length);
        for (const c of o.counters) parts.push((c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
        break;
      case 'mptcp':
        parts.push(...o.bytes);
        break;
      case 'unknown':
        parts.push(o.code, 2 + o.data.length, ...o.data);
        break;
    }
  }
  return Uint8Array.from(parts);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One option in packetdrill's script spelling (`mss 1460`, `TS val 1 ecr 0`, `sack 1:2 3:4`). */
export function describeTcpOption(o: TcpOption): string {
  switch (o.kind) {
    case 'eol':
    case 'nop':
    case 'sackOK':
      return o.kind;
    case 'mss':
      return `mss ${o.mss}`;
    case 'wscale':
      return `wscale ${o.shift}`;
    case 'sack':
      return `sack ${o.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}`;
    case 'timestamp':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'md5':
      return `md5 ${hex(o.digest)}`;
    case 'fastopen':
      return o.cookie.length ? `FO ${hex(o.cookie)}` : 'FO';
    case 'fastopen-exp':
      return o.cookie.length ? `FOEXP ${hex(o.cookie)}` : 'FOEXP';
    case 'accecn':
      return `ECN ${o.code === 172 ? 'e0b' : 'e1b'} ${o.counters.join(' ')}`;
    case 'mptcp':
      try {
        return describeMptcpOption(decodeMptcpOption(o.bytes));
      } catch {
        return `mptcp ${hex(o.bytes.subarray(2))}`;
      }
    case 'unknown':
      return `kind ${o.code} ${hex(o.data)}`;
  }
}
