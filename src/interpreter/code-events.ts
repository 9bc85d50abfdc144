// Code events (`%{ ... }%`, script-language.md §6.10). At each event the socket under test's
// TCP_INFO (plus congestion-control info and SO_MEMINFO where the kernel has them) is read and
// kept with the snippet. After the last event one Python file is written: the Linux symbol
// table as globals, then for each snippet in order the collected fields as `tcpi_*` variables
// followed by the snippet itself. All snippets share one namespace (scripts carry variables
// from one snippet to the next, e.g. `cwnd += 1`). The file runs once with --code_command; a
// failure is mapped back, through the traceback's line number, to the snippet that raised it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runShell, type ShellResult } from '../sys/shell.js';
import type { CodeAction } from '../parser/ast.js';
import { errno as lastErrno, libc } from '../sys/libc.js';
import { LINUX_SYMBOLS } from '../syscalls/symbols.js';
import { ScriptError } from './errors.js';

const SOL_SOCKET = 1;
const SOL_TCP = 6;
const TCP_INFO = 11;
const TCP_CONGESTION = 13;
const TCP_CC_INFO = 26;
const SO_MEMINFO = 55;

// ---------------------------------------------------------------------------------------
// struct tcp_info (include/uapi/linux/tcp.h), little-endian (x86-64, arm64)
// ---------------------------------------------------------------------------------------

/** One field: byte offset, size in bytes, and for bitfields the bit shift and width. */
export interface StructField {
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
  bits?: { shift: number; width: number };
}

/**
 * struct tcp_info as of Linux 6.18 (280 bytes). Up to and including tcpi_snd_wnd (232 bytes)
 * the layout is checked against /usr/include/linux/tcp.h by test/interpreter/code-events.test.ts;
 * the fields after it (6.2: rcv_wnd, rehash; 6.7: total_rto*; 6.18: received_ce and the
 * AccECN counters) are newer than this machine's headers. A field is only assigned when the
 * kernel's returned optlen covers it, so older kernels simply have fewer variables.
 */
export const TCP_INFO_FIELDS: readonly StructField[] = (() => {
  const f: StructField[] = [];
  const u8 = ['tcpi_state', 'tcpi_ca_state', 'tcpi_retransmits', 'tcpi_probes', 'tcpi_backoff', 'tcpi_options'];
  u8.forEach((name, i) => f.push({ name, offset: i, size: 1 }));
  // GCC allocates little-endian bitfields from the least significant bit.
  f.push({ name: 'tcpi_snd_wscale', offset: 6, size: 1, bits: { shift: 0, width: 4 } });
  f.push({ name: 'tcpi_rcv_wscale', offset: 6, size: 1, bits: { shift: 4, width: 4 } });
  f.push({ name: 'tcpi_delivery_rate_app_limited', offset: 7, size: 1, bits: { shift: 0, width: 1 } });
  f.push({ name: 'tcpi_fastopen_client_fail', offset: 7, size: 1, bits: { shift: 1, width: 2 } });
  const rest: ReadonlyArray<readonly [string, 2 | 4 | 8]> = [
    ['tcpi_rto', 4], ['tcpi_ato', 4], ['tcpi_snd_mss', 4], ['tcpi_rcv_mss', 4],
    ['tcpi_unacked', 4], ['tcpi_sacked', 4], ['tcpi_lost', 4], ['tcpi_retrans', 4], ['tcpi_fackets', 4],
    ['tcpi_last_data_sent', 4], ['tcpi_last_ack_sent', 4], ['tcpi_last_data_recv', 4], ['tcpi_last_ack_recv', 4],
    ['tcpi_pmtu', 4], ['tcpi_rcv_ssthresh', 4], ['tcpi_rtt', 4], ['tcpi_rttvar', 4], ['tcpi_snd_ssthresh', 4],
    ['tcpi_snd_cwnd', 4], ['tcpi_advmss', 4], ['tcpi_reordering', 4],
    ['tcpi_rcv_rtt', 4], ['tcpi_rcv_space', 4],
    ['tcpi_total_retrans', 4],
    ['tcpi_pacing_rate', 8], ['tcpi_max_pacing_rate', 8], ['tcpi_bytes_acked', 8], ['tcpi_bytes_received', 8],
    ['tcpi_segs_out', 4], ['tcpi_segs_in', 4],
    ['tcpi_notsent_bytes', 4], ['tcpi_min_rtt', 4], ['tcpi_data_segs_in', 4], ['tcpi_data_segs_out', 4],
    ['tcpi_delivery_rate', 8],
    ['tcpi_busy_time', 8], ['tcpi_rwnd_limited', 8], ['tcpi_sndbuf_limited', 8],
    ['tcpi_delivered', 4], ['tcpi_delivered_ce', 4],
    ['tcpi_bytes_sent', 8], ['tcpi_bytes_retrans', 8], ['tcpi_dsack_dups', 4], ['tcpi_reord_seen', 4],
    ['tcpi_rcv_ooopack', 4],
    ['tcpi_snd_wnd', 4],
    // Newer than the 6.1 headers:
    ['tcpi_rcv_wnd', 4],
    ['tcpi_rehash', 4],
    ['tcpi_total_rto', 2], ['tcpi_total_rto_recoveries', 2], ['tcpi_total_rto_time', 4],
    ['tcpi_received_ce', 4],
    ['tcpi_delivered_e1_bytes', 4], ['tcpi_delivered_e0_bytes', 4], ['tcpi_delivered_ce_bytes', 4],
    ['tcpi_received_e1_bytes', 4], ['tcpi_received_e0_bytes', 4], ['tcpi_received_ce_bytes', 4],
    ['tcpi_accecn_fail_mode', 2], ['tcpi_accecn_opt_seen', 2],
  ];
  let off = 8;
  for (const [name, size] of rest) {
    off = Math.ceil(off / size) * size; // natural alignment, as the C compiler lays it out
    f.push({ name, offset: off, size });
    off += size;
  }
  return f;
})();

/** The last field of tcp_info in this machine's /usr/include/linux/tcp.h (Linux 6.1). */
export const LAST_FIELD_IN_HEADERS = 'tcpi_snd_wnd';

/** Decodes the fields of `buf` (exactly the optlen bytes the kernel returned) that it covers. */
export function decodeStruct(fields: readonly StructField[], buf: Buffer): Array<[string, bigint]> {
  const out: Array<[string, bigint]> = [];
  for (const fd of fields) {
    if (fd.offset + fd.size > buf.length) continue;
    let v: bigint;
    if (fd.size === 1) v = BigInt(buf.readUInt8(fd.offset));
    else if (fd.size === 2) v = BigInt(buf.readUInt16LE(fd.offset));
    else if (fd.size === 4) v = BigInt(buf.readUInt32LE(fd.offset));
    else v = buf.readBigUInt64LE(fd.offset);
    if (fd.bits) v = (v >> BigInt(fd.bits.shift)) & ((1n << BigInt(fd.bits.width)) - 1n);
    out.push([fd.name, v]);
  }
  return out;
}

export const decodeTcpInfo = (buf: Buffer) => decodeStruct(TCP_INFO_FIELDS, buf);

const u32s = (names: string[], start = 0): StructField[] => names.map((name, i) => ({ name, offset: start + 4 * i, size: 4 }));

/** union tcp_cc_info (include/uapi/linux/inet_diag.h), by congestion-control algorithm. */
export const CC_INFO_FIELDS: Readonly<Record<string, readonly StructField[]>> = {
  bbr: u32s(['bbr_bw_lo', 'bbr_bw_hi', 'bbr_min_rtt', 'bbr_pacing_gain', 'bbr_cwnd_gain']),
  dctcp: [
    { name: 'dctcp_enabled', offset: 0, size: 2 },
    { name: 'dctcp_ce_state', offset: 2, size: 2 },
    ...u32s(['dctcp_alpha', 'dctcp_ab_ecn', 'dctcp_ab_tot'], 4),
  ],
  vegas: u32s(['tcpv_enabled', 'tcpv_rttcnt', 'tcpv_rtt', 'tcpv_minrtt']),
  illinois: u32s(['tcpv_enabled', 'tcpv_rttcnt', 'tcpv_rtt', 'tcpv_minrtt']),
};

/** SO_MEMINFO: u32[SK_MEMINFO_VARS] (include/uapi/linux/sock_diag.h), named sk_meminfo_*. */
export const MEMINFO_FIELDS: readonly StructField[] = u32s(
  ['rmem_alloc', 'rcvbuf', 'wmem_alloc', 'sndbuf', 'fwd_alloc', 'wmem_queued', 'optmem', 'backlog', 'drops'].map((n) => `sk_meminfo_${n}`),
);

/** getsockopt into a fresh buffer; the bytes the kernel returned, or the errno. */
function getsockopt(fd: number, level: number, name: number, room: number): Buffer | number {
  const val = Buffer.alloc(room);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(room);
  if (libc.getsockopt(fd, level, name, val, len) < 0) return lastErrno();
  return val.subarray(0, Math.min(room, len.readUInt32LE(0)));
}

/** Everything a code event records about a socket, as (variable, value) pairs. */
export function readSocketInfo(fd: number): Array<[string, bigint]> | { errno: number } {
  const info = getsockopt(fd, SOL_TCP, TCP_INFO, 512);
  if (typeof info === 'number') return { errno: info };
  const vars = decodeTcpInfo(info);
  // Best effort, as packetdrill does where the platform has them: absent on older kernels.
  const cc = getsockopt(fd, SOL_TCP, TCP_CONGESTION, 16);
  if (typeof cc !== 'number') {
    const name = cc.toString('latin1').replace(/\0.*$/s, '');
    const fields = CC_INFO_FIELDS[name];
    const ccInfo = fields ? getsockopt(fd, SOL_TCP, TCP_CC_INFO, 64) : undefined;
    if (fields && ccInfo !== undefined && typeof ccInfo !== 'number') vars.push(...decodeStruct(fields, ccInfo));
  }
  const mem = getsockopt(fd, SOL_SOCKET, SO_MEMINFO, 4 * MEMINFO_FIELDS.length);
  if (typeof mem !== 'number') vars.push(...decodeStruct(MEMINFO_FIELDS, mem));
  return vars;
}

// ---------------------------------------------------------------------------------------
// The Python file
// ---------------------------------------------------------------------------------------

export interface CodeSnippet {
  action: CodeAction;
  vars: ReadonlyArray<readonly [string, bigint]>;
}

/** Where a snippet landed in the generated file (1-based, inclusive line numbers). */
export interface SnippetSpan {
  index: number;
  /** First line of the snippet's variable assignments. */
  firstLine: number;
  /** First line of the snippet's own code; its line i is script line action.loc.start.line + i. */
  codeLine: number;
  lastLine: number;
}

export interface PythonProgram {
  source: string;
  spans: SnippetSpan[];
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
const PY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The Linux symbols as Python globals (TCP_CA_*, TCPI_OPT_*, TCP_ESTABLISHED...,
 * TCP_INFINITE_SSTHRESH, and every other name scripts may use in syscall lines).
 */
function symbolLines(): string[] {
  const lines: string[] = [];
  for (const [name, value] of LINUX_SYMBOLS) if (PY_NAME.test(name) && !PY_KEYWORDS.has(name)) lines.push(`${name} = ${value}`);
  return lines;
}

/** A snippet's code lines, as the script wrote them (the parser keeps the newlines). */
const codeLines = (code: string): string[] => code.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');

export function buildPythonProgram(scriptFile: string, snippets: readonly CodeSnippet[]): PythonProgram {
  const lines: string[] = [`# Code events of ${scriptFile}, generated by tsdrill.`, ...symbolLines()];
  const spans: SnippetSpan[] = [];
  snippets.forEach((s, index) => {
    const firstLine = lines.length + 1;
    lines.push('', `# ${basename(scriptFile)}:${s.action.loc.start.line}`);
    for (const [name, value] of s.vars) lines.push(`${name} = ${value}`);
    const codeLine = lines.length + 1;
    lines.push(...codeLines(s.action.code));
    // A snippet may end in a backslash continuation (`assert a, b; \`): a blank line ends it.
    lines.push('');
    spans.push({ index, firstLine, codeLine, lastLine: lines.length });
  });
  return { source: lines.join('\n') + '\n', spans };
}

export interface TracebackInfo {
  /** Line in the generated file of the outermost frame there (the statement running at top level). */
  line?: number;
  /** The exception line, e.g. `AssertionError: 38` or `NameError: name 'x' is not defined`. */
  summary?: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reads Python's stderr: where in `pyFile` it failed, and with what exception. */
export function parseTraceback(stderr: string, pyFile: string): TracebackInfo {
  const at = new RegExp(`^\\s*File "${escapeRe(pyFile)}", line (\\d+)`, 'm').exec(stderr);
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  // The exception line is the last one not indented (tracebacks indent frames and source).
  let summary: string | undefined;
  const pythonError = at !== null || lines.includes('Traceback (most recent call last):');
  for (let i = lines.length - 1; pythonError && i >= 0; i--) {
    if (!/^\s/.test(lines[i]!) && /^[A-Za-z_][\w.]*(:|$)/.test(lines[i]!)) {
      summary = lines[i];
      break;
    }
  }
  return { ...(at ? { line: Number(at[1]) } : {}), ...(summary !== undefined ? { summary } : {}) };
}

/** The snippet (and script line) that a line of the generated file belongs to. */
export function snippetAt(program: PythonProgram, pyLine: number, snippets: readonly CodeSnippet[]): { index: number; scriptLine: number; text?: string } | undefined {
  const span = program.spans.find((s) => pyLine >= s.firstLine && pyLine <= s.lastLine);
  if (!span) return undefined;
  const action = snippets[span.index]!.action;
  const rel = pyLine - span.codeLine;
  const code = codeLines(action.code);
  if (rel < 0 || rel >= code.length) return { index: span.index, scriptLine: action.loc.start.line };
  return { index: span.index, scriptLine: action.loc.start.line + rel, text: code[rel]!.trim() };
}

const tail = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-n);

/** The ScriptError for a failed run of the Python file. */
export function codeFailure(
  program: PythonProgram,
  snippets: readonly CodeSnippet[],
  pyFile: string,
  run: { command: string; exitCode?: number; signal?: string; stdout: string; stderr: string },
): ScriptError {
  const tb = parseTraceback(run.stderr, pyFile);
  const where = tb.line !== undefined ? snippetAt(program, tb.line, snippets) : undefined;
  // Without a traceback into our file (interpreter missing, sys.exit(), killed) the failure
  // cannot be pinned to a snippet: report it at the first one.
  const snippet = snippets[where?.index ?? 0]!;
  const status = run.signal ? `killed by ${run.signal}` : `exit status ${run.exitCode}`;
  const message = `error in Python code: ${tb.summary ?? `\`${run.command}\` failed with ${status}`}`;
  const notes: string[] = [];
  if (where?.text !== undefined) notes.push(`failing statement (line ${where.scriptLine}): ${where.text}`);
  if (where?.text !== undefined) {
    const used = new Set(where.text.match(/\b[a-z][a-z0-9_]*\b/g) ?? []);
    const values = snippet.vars.filter(([name]) => used.has(name)).map(([name, value]) => `${name} = ${value}`);
    if (values.length) notes.push(`collected at line ${snippet.action.loc.start.line}: ${values.join(', ')}`);
  }
  for (const l of tail(run.stdout, 5)) notes.push(`output: ${l}`);
  // The file is gone once we report: name it by its base name only.
  for (const l of tail(run.stderr.split(pyFile).join(basename(pyFile)), 6)) notes.push(`python: ${l}`);
  if (!tb.summary) notes.push(`\`${run.command}\` ${status}`);
  return new ScriptError('code', message, snippet.action.loc, notes, 'error in Python code');
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class CodeEvents {
  private readonly snippets: CodeSnippet[] = [];
  private finished = false;

  constructor(private readonly opts: { codeCommand: string; log?: (l: string) => void }) {}

  /** Reads TCP_INFO (and CC info, SO_MEMINFO) of `liveFd` now and keeps it with the snippet. */
  collect(action: CodeAction, liveFd: number | undefined): void {
    if (liveFd === undefined) throw new ScriptError('runtime', 'no socket to use for code', action.loc);
    const vars = readSocketInfo(liveFd);
    if (!Array.isArray(vars)) {
      const why = `${libc.strerror(vars.errno)} (errno ${vars.errno})`;
      throw new ScriptError('runtime', `cannot read TCP_INFO of the socket under test: ${why}`, action.loc, [], `can't get TCP_INFO for socket: ${why}`);
    }
    this.add(action, vars);
  }

  /** Keeps a snippet with values collected elsewhere (collect() uses it; so do the unit tests). */
  add(action: CodeAction, vars: Iterable<readonly [string, bigint]>): void {
    this.snippets.push({ action, vars: [...vars] });
  }

  get count(): number {
    return this.snippets.length;
  }

  /**
   * Writes the Python file next to nothing (a private temporary directory, always removed) and
   * runs it once with the code command through /bin/sh, as packetdrill does with system().
   * Its standard output goes to `log`. Throws ScriptError('code') located at the failing snippet.
   */
  async finish(scriptFile: string): Promise<void> {
    if (this.finished || this.snippets.length === 0) return;
    this.finished = true;
    const program = buildPythonProgram(scriptFile, this.snippets);
    const dir = mkdtempSync(join(tmpdir(), 'tsdrill-code-'));
    try {
      const pyFile = join(dir, `${basename(scriptFile).replace(/[^\w.-]/g, '_')}.py`);
      writeFileSync(pyFile, program.source);
      const command = `${this.opts.codeCommand} ${shellQuote(pyFile)}`;
      let r: ShellResult;
      try {
        r = await runShell(command, {
          // Like commands, run from the script's directory (when it exists: tests use made-up paths).
          ...(existsSync(dirname(scriptFile)) ? { cwd: dirname(scriptFile) } : {}),
          env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
        });
      } catch (e) {
        // /bin/sh itself could not start.
        throw new ScriptError('code', `error in Python code: cannot run \`${this.opts.codeCommand}\`: ${(e as Error).message}`, this.snippets[0]!.action.loc, [], 'error in Python code');
      }
      for (const l of r.stdout.split('\n')) if (l !== '') this.opts.log?.(`code: ${l}`);
      if (r.exitCode !== 0 || r.signal) {
        throw codeFailure(program, this.snippets, pyFile, {
          command: `${this.opts.codeCommand} ${basename(pyFile)}`,
          ...(r.exitCode !== null ? { exitCode: r.exitCode } : {}),
          ...(r.signal ? { signal: r.signal } : {}),
          stdout: r.stdout,
          stderr: r.stderr,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
