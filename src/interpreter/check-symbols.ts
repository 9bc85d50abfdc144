// `tsdrill parse` goes one step past the grammar: every symbol a syscall line names must be a
// Linux constant (or a -D define), so a misspelling is caught before a run, with a suggestion.
import type { Diagnostic } from '../diagnostics/code-frame.js';
import type { Expr, Script } from '../parser/ast.js';
import { LINUX_SYMBOLS, lookupSymbol } from '../syscalls/symbols.js';
import { suggestSymbol } from '../syscalls/suggest.js';

function* words(e: Expr): Generator<Extract<Expr, { kind: 'word' }>> {
  switch (e.kind) {
    case 'word':
      yield e;
      break;
    case 'binary':
      yield* words(e.left);
      yield* words(e.right);
      break;
    case 'named':
      yield* words(e.value);
      break;
    case 'array':
    case 'list':
      for (const i of e.items) yield* words(i);
      break;
    case 'struct':
      for (const f of e.fields) yield* words(f.value);
      break;
    case 'call':
      for (const a of e.args) yield* words(a);
      break;
  }
}

export function checkSymbols(script: Script, file: string, defines: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (name: string, loc: Diagnostic['loc']) => {
    if (defines.has(name) || lookupSymbol(name) !== undefined) return;
    const hint = suggestSymbol(name, LINUX_SYMBOLS.keys());
    out.push({
      severity: 'error',
      message: `unknown symbol '${name}'${hint ? `; did you mean '${hint}'?` : ''}`,
      file,
      loc,
      notes: ['symbols are Linux constants (SOL_SOCKET, SO_REUSEADDR, O_NONBLOCK, E* errnos...) or -D defines'],
    });
  };
  for (const ev of script.events) {
    const a = ev.action;
    if (a.kind !== 'syscall') continue;
    for (const arg of [...a.args, a.result]) for (const w of words(arg)) check(w.name, w.loc);
    if (a.errno) check(a.errno.name, a.errno.loc);
  }
  return out;
}
