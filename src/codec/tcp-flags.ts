import { TCP_FLAG } from './packet.js';

const LETTERS: [string, number][] = [
  ['F', TCP_FLAG.FIN],
  ['S', TCP_FLAG.SYN],
  ['R', TCP_FLAG.RST],
  ['P', TCP_FLAG.PSH],
  ['.', TCP_FLAG.ACK],
  ['U', TCP_FLAG.URG],
  ['E', TCP_FLAG.ECE],
  ['W', TCP_FLAG.CWR],
  ['A', TCP_FLAG.AE],
];

export interface ParsedFlags {
  flags: number;
  /** Set when the script gave an AccECN digit: ECE/CWR/AE compared as one 3-bit field. */
  ace?: number;
}

/** Parses a packetdrill flag string (`S.`, `P.`, `-`, `SEW`, `S.2`). Returns an error text on bad input. */
export function parseTcpFlags(text: string): ParsedFlags | string {
  let flags = 0;
  let ace: number | undefined;
  if (text === '-') return { flags };
  for (const ch of text) {
    if (ch >= '0' && ch <= '7') {
      if (ace !== undefined) return `more than one AccECN digit in TCP flags "${text}"`;
      ace = Number(ch);
      continue;
    }
    const bit = LETTERS.find(([l]) => l === ch)?.[1];
    if (bit === undefined) return `unknown TCP flag '${ch}' in "${text}" (known: F S R P . U E W A, or an AccECN digit 0-7)`;
    flags |= bit;
  }
  if (ace !== undefined) {
    if (flags & (TCP_FLAG.ECE | TCP_FLAG.CWR | TCP_FLAG.AE)) return `TCP flags "${text}" combine an AccECN digit with E, W or A`;
    flags |= (ace & 1 ? TCP_FLAG.ECE : 0) | (ace & 2 ? TCP_FLAG.CWR : 0) | (ace & 4 ? TCP_FLAG.AE : 0);
    return { flags, ace };
  }
  return { flags };
}

/** Formats flag bits in packetdrill's order (`F S R P . U` then `E W A`); `-` when none. */
export function formatTcpFlags(flags: number): string {
  const s = LETTERS.filter(([, bit]) => flags & bit)
    .map(([l]) => l)
    .join('');
  return s || '-';
}
