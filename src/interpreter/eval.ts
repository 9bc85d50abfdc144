import { wrongForm } from '../assertions/messages.js';
import type { Expr } from '../parser/ast.js';
import { LINUX_SYMBOLS, lookupSymbol } from '../syscalls/symbols.js';
import { suggestSymbol } from '../syscalls/suggest.js';
import { ScriptError } from './errors.js';

/** Resolves script words: `-D` defines first (as packetdrill's lexer does), then Linux constants. */
export class Evaluator {
  constructor(private readonly defines: ReadonlyMap<string, string>) {}

  /** The integer value of an expression (ints, symbols, `a|b`, `[n]`, htons(n), inet_addr("...")). */
  int(e: Expr, what: string): bigint {
    switch (e.kind) {
      case 'int':
        return e.value;
      case 'word':
        return this.symbol(e.name, e);
      case 'binary':
        return this.int(e.left, what) | this.int(e.right, what);
      case 'array':
        if (e.items.length === 1) return this.int(e.items[0]!, what);
        break;
      case 'call':
        if (e.fn === 'htons' && e.args.length === 1) {
          const v = Number(this.int(e.args[0]!, what));
          return BigInt(((v & 0xff) << 8) | ((v >> 8) & 0xff));
        }
        if (e.fn === 'inet_addr' && e.args[0]?.kind === 'string') {
          const parts = e.args[0].value.split('.').map(Number);
          return BigInt(Buffer.from(parts).readUInt32LE(0));
        }
        break;
    }
    throw ScriptError.from('runtime', e.loc, wrongForm({ subject: what, expected: 'an integer', found: describeExpr(e) }));
  }

  symbol(name: string, at: Expr): bigint {
    const defined = this.defines.get(name);
    if (defined !== undefined) {
      const v = lookupSymbol(defined);
      if (v !== undefined) return v;
      if (/^-?(0x[0-9a-f]+|\d+)$/i.test(defined)) return BigInt(defined);
      throw new ScriptError('runtime', `define ${name}=${defined} is not a number or a known symbol`, at.loc);
    }
    const v = lookupSymbol(name);
    if (v !== undefined) return v;
    const hint = suggestSymbol(name, LINUX_SYMBOLS.keys());
    throw new ScriptError('runtime', `unknown symbol: '${name}'${hint ? ` (did you mean ${hint}?)` : ''}`, at.loc);
  }

  /** A string argument (setsockopt TCP_CONGESTION "cubic"): escapes decoded as packetdrill intends. */
  string(e: Expr, what: string): string {
    if (e.kind === 'string') return decodeEscapes(e.value, e);
    if (e.kind === 'word' && this.defines.has(e.name)) return this.defines.get(e.name)!.replace(/^"|"$/g, '');
    throw ScriptError.from('runtime', e.loc, wrongForm({ subject: what, expected: 'a string', found: describeExpr(e) }));
  }
}

function decodeEscapes(raw: string, at: Expr): string {
  return raw.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, esc: string) => {
    if (esc.startsWith('x') && esc.length === 3) return String.fromCharCode(parseInt(esc.slice(1), 16));
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', v: '\v', f: '\f', '\\': '\\', '"': '"' };
    if (esc in simple) return simple[esc]!;
    throw new ScriptError('runtime', `unsupported escape code: '\\${esc}'`, at.loc);
  });
}

export function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'ellipsis':
      return '...';
    case 'int':
      return e.hex ? `0x${e.value.toString(16)}` : e.value.toString();
    case 'word':
      return e.name;
    case 'string':
      return `"${e.value}"`;
    case 'binary':
      return `${describeExpr(e.left)}|${describeExpr(e.right)}`;
    case 'named':
      return `${e.name}=${describeExpr(e.value)}`;
    case 'array':
      return `[${e.items.map(describeExpr).join(', ')}]`;
    case 'list':
      return `{${e.items.map(describeExpr).join(', ')}}`;
    case 'struct':
      return `{${e.fields.map((f) => `${f.name}=${describeExpr(f.value)}`).join(', ')}}`;
    case 'call':
      return `${e.fn}(${e.args.map(describeExpr).join(', ')})`;
  }
}
