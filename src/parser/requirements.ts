// `// require: ...` directives: what a script needs from the kernel (or the system) to run. A run
// whose kernel lacks it is skipped with the reason, not failed (src/kernel/requirements.ts
// probes them). The forms, one per directive:
//
//   // require: mptcp                             the kernel has MPTCP (an IPPROTO_MPTCP socket opens)
//   // require: sysctl net.mptcp.blackhole_timeout  /proc/sys/net/mptcp/blackhole_timeout exists
//   // require: kernel >= 6.12                    uname -r compared (>=, >, <=, <, ==)
//   // require: sockopt SOL_TCP TCP_IS_MPTCP      getsockopt() on a fresh TCP socket does not
//                                                 fail with ENOPROTOOPT/EOPNOTSUPP
//   // require: sockopt SOL_MPTCP MPTCP_INFO on IPPROTO_MPTCP   ... on a fresh MPTCP socket
//   // require: module sch_netem                  built in, loaded, or loadable
//   // require: command ethtool                   an executable in PATH
//
// A malformed or unknown requirement is a parse error with a caret on the word at fault.
import type { Script, SourceLocation } from './ast.js';
import { scriptDirectives, type Directive } from './directives.js';
import { ParseError } from './errors.js';
import { suggestSymbol } from '../syscalls/suggest.js';
import { LINUX_SYMBOLS, lookupSymbol } from '../syscalls/symbols.js';

export type VersionOp = '>=' | '>' | '<=' | '<' | '==';
export type Requirement = { loc: SourceLocation; text: string } & (
  | { kind: 'mptcp' }
  | { kind: 'sysctl'; name: string; path: string }
  | { kind: 'kernel'; op: VersionOp; version: number[] }
  | { kind: 'sockopt'; level: string; option: string; protocol: 'IPPROTO_TCP' | 'IPPROTO_MPTCP' | 'IPPROTO_UDP' }
  | { kind: 'module'; name: string }
  | { kind: 'command'; name: string }
);

export const REQUIREMENT_KINDS = ['mptcp', 'sysctl', 'kernel', 'sockopt', 'module', 'command'] as const;
const FORMS: Record<(typeof REQUIREMENT_KINDS)[number], string> = {
  mptcp: 'mptcp',
  sysctl: 'sysctl net.mptcp.enabled',
  kernel: 'kernel >= 6.12',
  sockopt: 'sockopt SOL_TCP TCP_IS_MPTCP [on IPPROTO_MPTCP]',
  module: 'module sch_netem',
  command: 'command ethtool',
};
const PROTOCOLS = ['IPPROTO_TCP', 'IPPROTO_MPTCP', 'IPPROTO_UDP'] as const;
const VERSION_OPS: readonly string[] = ['>=', '>', '<=', '<', '==', '='];

interface Word {
  text: string;
  /** Offset in the directive's value. */
  at: number;
}

/** The script's `// require:` directives, checked. @throws ParseError on a malformed one. */
export function scriptRequirements(script: Pick<Script, 'comments'>, file: string): Requirement[] {
  return scriptDirectives(script, 'require').map((d) => parseRequirement(d, file));
}

function parseRequirement(d: Directive, file: string): Requirement {
  const words: Word[] = [...d.value.matchAll(/\S+/g)].map((m) => ({ text: m[0], at: m.index }));
  const locOf = (w: Word | undefined): SourceLocation => {
    const start = w ? w.at : d.value.length;
    const pos = (o: number) => ({ offset: d.valueLoc.start.offset + o, line: d.valueLoc.start.line, column: d.valueLoc.start.column + o });
    return { start: pos(start), end: pos(w ? start + w.text.length : start + 1) };
  };
  const fail = (message: string, w: Word | undefined, ...notes: string[]): never => {
    throw new ParseError('semantic', { severity: 'error', message, file, loc: locOf(w), ...(notes.length ? { notes } : {}) });
  };
  const usage = (kind: keyof typeof FORMS) => `help: the form is \`// require: ${FORMS[kind]}\``;
  const base = { loc: d.valueLoc, text: d.value };
  const [head, ...rest] = words;
  if (!head) return fail('empty requirement: say what the script needs', undefined, `help: one of ${REQUIREMENT_KINDS.join(', ')}, e.g. \`// require: ${FORMS.sysctl}\``);
  const kind = head.text as keyof typeof FORMS;
  if (!(REQUIREMENT_KINDS as readonly string[]).includes(kind)) {
    const near = suggestSymbol(head.text, REQUIREMENT_KINDS) as keyof typeof FORMS | undefined;
    const help = near ? `help: did you mean '${near}'? the form is \`// require: ${FORMS[near]}\`` : `help: e.g. \`// require: ${FORMS.sysctl}\``;
    return fail(`unknown requirement '${head.text}': expected one of ${REQUIREMENT_KINDS.join(', ')}`, head, help);
  }
  const arity = (n: number) => {
    if (rest.length < n) fail(`'${kind}' needs ${n === 1 ? 'a value' : `${n} values`}`, undefined, usage(kind));
    if (rest.length > n) fail(`unexpected '${rest[n]!.text}' after the ${kind} requirement`, rest[n], usage(kind));
  };
  switch (kind) {
    case 'mptcp':
      arity(0);
      return { ...base, kind };
    case 'sysctl': {
      arity(1);
      const w = rest[0]!;
      const name = w.text.replace(/^\/proc\/sys\//, '');
      if (!/^[A-Za-z0-9_-]+([./][A-Za-z0-9_:@+-]+)*$/.test(name))
        fail(`bad sysctl name '${w.text}'`, w, 'help: a dotted or slashed name under /proc/sys, e.g. net.mptcp.enabled or net/mptcp/enabled');
      const path = name.includes('/') ? name : name.replace(/\./g, '/');
      return { ...base, kind, name: path.replace(/\//g, '.'), path: `/proc/sys/${path}` };
    }
    case 'kernel': {
      arity(2);
      const [op, version] = rest as [Word, Word];
      if (!VERSION_OPS.includes(op.text)) fail(`bad comparison '${op.text}': expected one of >=, >, <=, <, ==`, op, usage(kind));
      if (!/^\d+(\.\d+){0,2}$/.test(version.text)) fail(`bad kernel version '${version.text}': expected MAJOR.MINOR[.PATCH]`, version, usage(kind));
      return { ...base, kind, op: (op.text === '=' ? '==' : op.text) as VersionOp, version: version.text.split('.').map(Number) };
    }
    case 'sockopt': {
      if (rest.length < 2) fail(`'sockopt' needs a level and an option name`, undefined, usage(kind));
      if (rest.length > 4) fail(`unexpected '${rest[4]!.text}' after the sockopt requirement`, rest[4], usage(kind));
      const [level, option, on, proto] = rest as [Word, Word, Word?, Word?];
      if (on && on.text !== 'on') fail(`expected 'on' or the end, found '${on.text}'`, on, usage(kind));
      if (on && !proto) fail(`expected a protocol after 'on'`, undefined, usage(kind));
      for (const w of [level, option]) {
        if (lookupSymbol(w.text) !== undefined) continue;
        const near = suggestSymbol(w.text, LINUX_SYMBOLS.keys());
        fail(`unknown socket option symbol '${w.text}'`, w, near ? `help: did you mean ${near}?` : 'note: the names are those of system call lines (SOL_TCP, TCP_IS_MPTCP, ...)');
      }
      if (!/^(SOL_|IPPROTO_)/.test(level.text)) fail(`'${level.text}' is no socket option level`, level, usage(kind));
      let protocol: (typeof PROTOCOLS)[number] = level.text === 'SOL_MPTCP' ? 'IPPROTO_MPTCP' : level.text === 'SOL_UDP' || level.text === 'IPPROTO_UDP' ? 'IPPROTO_UDP' : 'IPPROTO_TCP';
      if (proto) {
        if (!(PROTOCOLS as readonly string[]).includes(proto!.text)) fail(`bad protocol '${proto!.text}': expected one of ${PROTOCOLS.join(', ')}`, proto, usage(kind));
        protocol = proto!.text as (typeof PROTOCOLS)[number];
      }
      return { ...base, kind, level: level.text, option: option.text, protocol };
    }
    case 'module':
    case 'command': {
      arity(1);
      const w = rest[0]!;
      const ok = kind === 'module' ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z0-9._+-]+$/;
      if (!ok.test(w.text)) fail(`bad ${kind} name '${w.text}'`, w, usage(kind));
      return { ...base, kind, name: w.text };
    }
  }
}
