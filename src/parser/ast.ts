// The typed AST of a packetdrill script. grammar/packetdrill.peggy builds exactly these
// objects; nothing else creates them. Every node carries `loc` so that any later phase
// (semantic checks, run-time errors, packet diffs) can point at the script text.

export interface Position {
  offset: number;
  line: number;
  column: number;
}

export interface SourceLocation {
  start: Position;
  end: Position;
}

export interface Node {
  loc: SourceLocation;
}

/** A number as written in the script, with its location (used for packet fields). */
export interface NumberLit extends Node {
  value: number;
}

/** A 64-bit quantity (MPTCP keys, 8-byte DSNs); kept exact. */
export interface BigLit extends Node {
  value: bigint;
}

export interface Script extends Node {
  kind: 'script';
  options: OptionLine[];
  initCommand?: CommandAction;
  events: Event[];
  cleanupCommand?: CommandAction;
  /**
   * Every comment in source order. They do not change what a script does; they are kept for
   * directives (src/parser/directives.ts) and tools that rewrite scripts.
   */
  comments: Comment[];
}

/** `// text` (style 'line', text without the slashes) or `/* text *\/` ('block'). */
export interface Comment extends Node {
  kind: 'comment';
  style: 'line' | 'block';
  text: string;
}

/** `--name` or `--name=value` in the script header. */
export interface OptionLine extends Node {
  kind: 'option';
  name: string;
  value?: string;
}

// ---------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------

/** Times are microseconds (script seconds x 1e6, truncated as packetdrill does). */
export type TimeSpec =
  | (Node & { kind: 'absolute'; usecs: number })
  | (Node & { kind: 'relative'; usecs: number })
  | (Node & { kind: 'any' })
  | (Node & { kind: 'range'; relative: boolean; startUsecs: number; endUsecs: number });

export interface Event extends Node {
  kind: 'event';
  time: TimeSpec;
  action: Action;
}

export type Action = SyscallAction | PacketAction | CommandAction | CodeAction;

// ---------------------------------------------------------------------------------------
// System calls and expressions
// ---------------------------------------------------------------------------------------

export interface SyscallAction extends Node {
  kind: 'syscall';
  name: string;
  nameLoc: SourceLocation;
  /**
   * `...T name(...)`: a blocking call expected to return at time T (same base as the start).
   * `value` is in microseconds, like every TimeSpec.
   */
  blockingEnd?: NumberLit;
  args: Expr[];
  result: Expr;
  errno?: { name: string; loc: SourceLocation };
  /** Free text in parentheses after the result or errno; never checked. */
  note?: string;
}

export type Expr =
  | EllipsisExpr
  | IntExpr
  | WordExpr
  | StringExpr
  | BinaryExpr
  | NamedExpr
  | ArrayExpr
  | ListExpr
  | StructExpr
  | CallExpr;

export interface EllipsisExpr extends Node {
  kind: 'ellipsis';
}
export interface IntExpr extends Node {
  kind: 'int';
  value: bigint;
  /** True when written as 0x...: printed back in hex. */
  hex: boolean;
}
/** A symbol (SOCK_STREAM, O_NONBLOCK, ...), resolved at run time. */
export interface WordExpr extends Node {
  kind: 'word';
  name: string;
}
/** One or more adjacent string literals; `value` is the raw text (escapes not yet decoded). */
export interface StringExpr extends Node {
  kind: 'string';
  value: string;
  /** `"abc"...`: a string prefix followed by an ellipsis. */
  trailingEllipsis: boolean;
}
export interface BinaryExpr extends Node {
  kind: 'binary';
  op: '|';
  left: Expr;
  right: Expr;
}
/** `name=value` inside a list (e.g. `{onoff=1, linger=0}` fields or `{tcpi_state=1}`). */
export interface NamedExpr extends Node {
  kind: 'named';
  name: string;
  value: Expr;
}
/** `[a, b]`: an array, or with one int a pointer to that int (`[1]`). */
export interface ArrayExpr extends Node {
  kind: 'array';
  items: Expr[];
}
/** `{a, b}` with no leading field keyword: a generic list. */
export interface ListExpr extends Node {
  kind: 'list';
  items: Expr[];
}
/** `{field=value, ...}` whose first field is a struct keyword (sa_family, msg_name, fd, ...). */
export interface StructExpr extends Node {
  kind: 'struct';
  fields: StructField[];
}
export interface StructField extends Node {
  name: string;
  /** `msg_iov(1)=...`, `msg_name(...)=...`: the parenthesised argument after a field name. */
  arg?: Expr;
  value: Expr;
}
/** `htons(8080)`, `inet_addr("1.2.3.4")`, `inet6_addr("::1")`. */
export interface CallExpr extends Node {
  kind: 'call';
  fn: string;
  args: Expr[];
}

// ---------------------------------------------------------------------------------------
// Shell commands and code blocks
// ---------------------------------------------------------------------------------------

export interface CommandAction extends Node {
  kind: 'command';
  /** The text between backquotes, verbatim except that \` becomes `. */
  command: string;
}

export interface CodeAction extends Node {
  kind: 'code';
  code: string;
}

// ---------------------------------------------------------------------------------------
// Packets
// ---------------------------------------------------------------------------------------

export interface PacketAction extends Node {
  kind: 'packet';
  direction: 'inbound' | 'outbound';
  encapsulations: Encapsulation[];
  ipInfo?: IpInfo;
  /** [upstream] `encap psp spi N` before a TCP packet's endpoints: the SPI. */
  psp?: NumberLit;
  endpoints?: Endpoints;
  body: TcpBody | UdpBody | IcmpBody;
}

/**
 * A GRE header (here and as a setsockopt value) is a StructExpr with the fields flags, sum,
 * off, key, seq in that order; `flags` is an IntExpr or an ArrayExpr of WordExpr named
 * `none`, `checksum`, `key` or `sequence#` (the `present` keyword is dropped). An MPLS stack
 * given as an expression is a ListExpr of StructExpr with fields label, tc, bottom (0/1), ttl.
 */
export type Encapsulation =
  | (Node & { kind: 'ipv4' | 'ipv6'; ipInfo?: IpInfo; src: string; dst: string })
  | (Node & { kind: 'gre'; header?: StructExpr })
  | (Node & { kind: 'mpls'; entries: { label: number; tc: number; bottom: boolean; ttl: number }[] });

export type TosSpec =
  | (Node & { kind: 'noecn' | 'ect0' | 'ect1' | 'ce' | 'ect01' })
  | (Node & { kind: 'tos'; value: number });

export interface IpInfo extends Node {
  tos?: TosSpec;
  flowlabel?: NumberLit;
  ttl?: NumberLit;
}

export interface Endpoints extends Node {
  src?: Endpoint;
  dst?: Endpoint;
}

export type Endpoint =
  | (Node & { kind: 'port'; port: number })
  | (Node & { kind: 'address'; address: string; port: number })
  /** `addr[name]` (MPTCP fork): bound to a live address/port on first use. */
  | (Node & { kind: 'variable'; name: string });

export interface TcpBody extends Node {
  kind: 'tcp';
  /** The flag string as written: "S", "S.", "P.", ".", "-", "SEW", "S.2" ... */
  flags: Node & { text: string };
  seq: Node & { start: number; end: number; length: number };
  ack?: NumberLit;
  win?: NumberLit;
  urg?: NumberLit;
  /** `undefined`: no option list; `'any'`: `<...>`; otherwise the options in order. */
  options?: TcpOptionNode[] | 'any';
  optionsLoc?: SourceLocation;
}

export interface UdpBody extends Node {
  kind: 'udp';
  length: NumberLit;
}

export interface IcmpBody extends Node {
  kind: 'icmp';
  type: Node & { name: string };
  code?: Node & { name: string };
  mtu?: NumberLit;
  id?: NumberLit;
  /** The quoted transport header carried by an ICMP error. */
  quoted?:
    | (Node & { kind: 'tcp'; start: number; end: number; length: number })
    | (Node & { kind: 'udp'; length: number })
    | (Node & { kind: 'raw'; length: number });
}

export type TcpOptionNode =
  | (Node & { kind: 'nop' | 'eol' | 'sackOK' })
  | (Node & { kind: 'mss'; value: number })
  | (Node & { kind: 'wscale'; value: number })
  | (Node & { kind: 'sack'; blocks: (Node & { left: number; right: number })[] })
  | (Node & { kind: 'timestamp'; val: number; ecr: number })
  /** md5/FO/FOEXP payloads as hex text (no 0x), possibly empty. */
  | (Node & { kind: 'md5' | 'fastopen' | 'fastopen-exp'; hex: string })
  /** AccECN: kind 172 when e0b comes first, 174 when e1b comes first; 24-bit counters. */
  | (Node & { kind: 'accecn'; order: ('e0b' | 'ceb' | 'e1b')[]; values: number[] })
  | MptcpOptionNode;

// ---------------------------------------------------------------------------------------
// MPTCP options (multipath-tcp fork syntax)
// ---------------------------------------------------------------------------------------

/** A key/random variable: `skey`, or pinned `ckey=2`. */
export interface VarRef extends Node {
  name: string;
  pinned?: bigint;
}

/**
 * A DSN/DACK value: a literal, or an expression of a key's IDSN
 * (`trunc_r64_hmac(ckey) + 5`, `trunc_r64_hmac_sha256(N)`), or absent (wildcard/auto).
 */
export type MptcpValue =
  | (Node & { kind: 'literal'; value: bigint })
  | (Node & { kind: 'idsn'; key: string; plus: bigint })
  | (Node & { kind: 'idsn-literal'; hash: 'sha1' | 'sha256'; key: bigint });

export type HmacSpec =
  | (Node & { kind: 'auto' })
  | (Node & { kind: 'literal'; value: bigint })
  | (Node & { kind: 'keys'; form: 'trunc_l64_hmac' | 'full_160_hmac'; first: string; second: string })
  | (Node & { kind: 'token-auto' });

export type MptcpOptionNode =
  | (Node & {
      kind: 'mpcapable';
      version: 'v0' | 'v1' | 'none';
      flags: number;
      /** undefined = `nokey`. */
      keys?: VarRef[];
      dataLength?: number;
      /**
       * With `mpcdatalen` only: 'none' = `nocs`, a number = `cksum=N`, undefined = a checksum
       * field iff flag A is set (computed inbound, wildcard outbound), as the kernel sends it;
       * 'auto' = `cksum=auto`: a checksum field, computed inbound and checked outbound.
       */
      checksum?: 'none' | 'auto' | number;
    })
  | (Node & {
      kind: 'mp_capable_legacy';
      checksums: boolean;
      keys: VarRef[];
      flags?: number;
    })
  | (Node & {
      kind: 'mp_join_syn';
      backup?: number;
      addressId?: number | 'auto';
      token?: (Node & { kind: 'literal'; value: bigint }) | (Node & { kind: 'hash'; hash: 'sha1' | 'sha256'; key: string }) | (Node & { kind: 'auto' });
      rand?: bigint;
    })
  | (Node & { kind: 'mp_join_syn_ack'; backup?: number; addressId?: number | 'auto'; hmac?: HmacSpec; rand?: bigint })
  | (Node & { kind: 'mp_join_ack'; hmac?: HmacSpec })
  | (Node & {
      kind: 'dss';
      dack?: { size: 4 | 8; value?: MptcpValue };
      dsn?: { size: 4 | 8; value?: MptcpValue };
      ssn?: bigint;
      dll?: number;
      /**
       * 'none' = `nocs`; a number = `cksum=N`; undefined = computed inbound, wildcard outbound;
       * 'auto' = `cksum=auto`: computed inbound, checked against the live mapping outbound.
       */
      checksum?: 'none' | 'auto' | number;
      fin: boolean;
    })
  | (Node & {
      kind: 'add_address';
      addressId?: number | 'auto';
      address: { name: string; family?: 'ipv4' | 'ipv6'; value?: string };
      port?: number;
      echo: boolean;
      hmac?: 'auto' | bigint;
    })
  | (Node & { kind: 'remove_address'; addressIds: number[] })
  | (Node & { kind: 'mp_prio'; backup?: number; addressId?: number })
  | (Node & { kind: 'mp_fail'; dsn?: MptcpValue })
  | (Node & { kind: 'mp_fastclose'; key?: { name?: string; value?: bigint; plus?: bigint } })
  | (Node & { kind: 'mp_tcprst'; reason: number; transient: boolean });

/** MP_CAPABLE flag A, "checksum required" (RFC 8684 §3.1). */
const MPC_FLAG_A = 0x80;

/**
 * Whether an `mpcapable … mpcdatalen N` has the 2-byte checksum field (24 bytes instead of 22,
 * RFC 8684 §3.1): `cksum=N` yes, `nocs` no; left out, iff flag A is set, which is when Linux
 * sends it. The fork only knew the 22-byte form, and none of its scripts sets A with mpcdatalen.
 */
export function mpcHasChecksum(o: Extract<MptcpOptionNode, { kind: 'mpcapable' }>): boolean {
  if (o.dataLength === undefined || o.checksum === 'none') return false;
  return typeof o.checksum === 'number' || o.checksum === 'auto' || (o.flags & MPC_FLAG_A) !== 0;
}
