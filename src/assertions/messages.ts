// The wording of failures: each builder takes one options object and returns the message (the
// line after `error:`), the notes under the code frame, and packetdrill's one-line form
// (`legacy`) that existing log scrapers read.
import type { SourceLocation } from '../parser/ast.js';
import type { FieldMismatch } from './outbound.js';

export interface FailureMessage {
  message: string;
  notes: string[];
  legacy?: string;
}

export interface PacketMismatchOptions {
  /** Every differing field, headline first (compareTcp's order). */
  mismatches: readonly FieldMismatch[];
  /** The line as packetdrill prints it, with its time: `0.100000 S. 0:0(0) ack 1 <...>`. */
  scriptPacket: string;
  /** The live packet mapped into script space, with its kernel time. */
  actualPacket: string;
  /** The live packet's raw headers (describeLive). */
  livePacket: readonly string[];
}

/** An outbound packet that differs from its line; located at the first differing field. */
export function packetMismatch(o: PacketMismatchOptions): FailureMessage & { loc: SourceLocation } {
  const m = o.mismatches[0]!;
  return {
    message: `expected ${m.label} ${m.expected}, got ${m.label} ${m.actual}`,
    loc: m.loc,
    notes: [
      ...o.mismatches.slice(1).map((x) => `also: expected ${x.label} ${x.expected}, got ${x.label} ${x.actual}`),
      `script packet: ${o.scriptPacket}`,
      `actual packet: ${o.actualPacket}`,
      ...o.livePacket,
    ],
    legacy: `live packet field ${m.field}: expected: ${m.expected} vs actual: ${m.actual}`,
  };
}
