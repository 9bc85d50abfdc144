import type { TcpOption } from '../codec/tcp-options.js';
import type { TcpOptionNode } from '../parser/ast.js';
import { ScriptError } from './errors.js';

const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));

/**
 * The codec form of a script's TCP option list, in script space (sequence numbers and TS
 * values as written). MPTCP options are filled by the MPTCP layer through `mptcp`.
 */
export function scriptTcpOptions(
  nodes: readonly TcpOptionNode[],
  mptcp?: (node: TcpOptionNode) => TcpOption,
): TcpOption[] {
  return nodes.map((n): TcpOption => {
    switch (n.kind) {
      case 'nop':
      case 'eol':
      case 'sackOK':
        return { kind: n.kind };
      case 'mss':
        return { kind: 'mss', mss: n.value };
      case 'wscale':
        return { kind: 'wscale', shift: n.value };
      case 'sack':
        return { kind: 'sack', blocks: n.blocks.map((b) => [b.left, b.right] as [number, number]) };
      case 'timestamp':
        return { kind: 'timestamp', val: n.val, ecr: n.ecr };
      case 'md5':
        return { kind: 'md5', digest: hexBytes(n.hex) };
      case 'fastopen':
        return { kind: 'fastopen', cookie: hexBytes(n.hex) };
      case 'fastopen-exp':
        return { kind: 'fastopen-exp', cookie: hexBytes(n.hex) };
      case 'accecn':
        return { kind: 'accecn', code: n.order[0] === 'e1b' ? 174 : 172, counters: n.values };
      default:
        if (mptcp) return mptcp(n);
        throw new ScriptError('runtime', `MPTCP option ${n.kind} is not supported yet`, n.loc);
    }
  });
}
