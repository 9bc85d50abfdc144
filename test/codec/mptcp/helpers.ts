// Test helpers shared by the MPTCP codec tests (kept independent of the code under test).

/** `hex('1e 04 01 81')` -> bytes; spaces and `|` are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** MP_CAPABLE named flag booleans, written out independently of options.ts. */
export function mpcViews(flags: number) {
  return {
    flags,
    flagA: !!(flags & 0x80),
    flagB: !!(flags & 0x40),
    flagC: !!(flags & 0x20),
    flagD: !!(flags & 0x10),
    flagE: !!(flags & 0x08),
    flagF: !!(flags & 0x04),
    flagG: !!(flags & 0x02),
    flagH: !!(flags & 0x01),
  };
}

/** DSS named flag booleans: A=0x01 a=0x02 M=0x04 m=0x08 F=0x10. */
export function dssViews(flags: number) {
  return {
    flags,
    dataAckPresent: !!(flags & 0x01),
    dataAck8: !!(flags & 0x02),
    mappingPresent: !!(flags & 0x04),
    dsn8: !!(flags & 0x08),
    dataFin: !!(flags & 0x10),
  };
}
