// Code events without a kernel: the tcp_info layout (checked against this machine's uapi header
// with the C compiler), the generated Python file, the traceback -> snippet mapping, and whole
// runs of finish() with python3 on values we make up.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CodeAction, Script } from '../../src/parser/ast.js';
import {
  buildPythonProgram,
  CodeEvents,
  decodeTcpInfo,
  LAST_FIELD_IN_HEADERS,
  parseTraceback,
  snippetAt,
  TCP_INFO_FIELDS,
  type CodeSnippet,
} from '../../src/interpreter/code-events.js';
import { ScriptError } from '../../src/interpreter/errors.js';
import { CORPUS, corpusScripts, corpusVariants, loadParser } from '../parser/helpers.js';

const { parseScript } = await loadParser();

const tmp = mkdtempSync(join(tmpdir(), 'tsdrill-code-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('[tsdrill tests] python3 is absent: code-event runs are SKIPPED');
const HEADER = '/usr/include/linux/tcp.h';
const hasCc = spawnSync('cc', ['--version']).status === 0 && existsSync(HEADER);
if (!hasCc) console.warn(`[tsdrill tests] cc or ${HEADER} is absent: the tcp_info layout check is SKIPPED`);

const SCRIPT = '/scripts/demo.pkt';

function codeActions(text: string): CodeAction[] {
  const script: Script = parseScript(text, SCRIPT);
  return script.events.map((e) => e.action).filter((a): a is CodeAction => a.kind === 'code');
}

/** Zero for every tcp_info field, with some overridden. */
function vars(over: Record<string, number> = {}): Array<[string, bigint]> {
  return TCP_INFO_FIELDS.map((f) => [f.name, BigInt(over[f.name] ?? 0)]);
}

async function failure(events: CodeEvents, file = SCRIPT): Promise<ScriptError> {
  const e = await events.finish(file).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ScriptError);
  return e as ScriptError;
}

describe.skipIf(!hasCc)('struct tcp_info layout', () => {
  const inHeaders = TCP_INFO_FIELDS.slice(0, TCP_INFO_FIELDS.findIndex((f) => f.name === LAST_FIELD_IN_HEADERS) + 1);

  it('matches /usr/include/linux/tcp.h: every field decodes the value C stored in it', () => {
    // Give each field a distinct value that fits its width, let C lay the struct out, decode it.
    const want = inHeaders.map((f, i) => (f.bits ? BigInt(i % (1 << f.bits.width)) || 1n : BigInt(i + 1) * (f.size === 8 ? 0x100000001n : 1n)));
    const src = [
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <linux/tcp.h>',
      'int main(void) {',
      '  struct tcp_info t; memset(&t, 0, sizeof t);',
      ...inHeaders.map((f, i) => `  t.${f.name} = ${want[i]}ULL;`),
      '  const unsigned char *p = (const unsigned char *)&t;',
      '  printf("%zu\\n", sizeof t);',
      '  for (size_t i = 0; i < sizeof t; i++) printf("%02x", p[i]);',
      '  printf("\\n");',
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(join(tmp, 'layout.c'), src);
    const cc = spawnSync('cc', ['-o', join(tmp, 'layout'), join(tmp, 'layout.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const run = spawnSync(join(tmp, 'layout'), { encoding: 'utf8' });
    const [size, hex] = run.stdout.trim().split('\n');
    const bytes = Buffer.from(hex!, 'hex');
    const last = inHeaders.at(-1)!;
    expect(Number(size)).toBe(Math.ceil((last.offset + last.size) / 8) * 8);
    expect(decodeTcpInfo(bytes).slice(0, inHeaders.length)).toEqual(inHeaders.map((f, i) => [f.name, want[i]]));
  });

  it('lays the newer fields out after them, up to the 280 bytes Linux 6.18 returns', () => {
    const names = TCP_INFO_FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const last = TCP_INFO_FIELDS.at(-1)!;
    expect(last.name).toBe('tcpi_accecn_opt_seen');
    expect(last.offset + last.size).toBe(280);
    expect(TCP_INFO_FIELDS.find((f) => f.name === 'tcpi_rcv_wnd')?.offset).toBe(232);
    expect(TCP_INFO_FIELDS.find((f) => f.name === 'tcpi_total_rto_time')?.offset).toBe(244);
  });
});

describe('decodeTcpInfo', () => {
  it('decodes only the fields the returned optlen covers (older kernels return less)', () => {
    const buf = Buffer.alloc(104, 0);
    buf[0] = 1; // TCP_ESTABLISHED
    buf[6] = 0x78; // snd_wscale 8, rcv_wscale 7
    buf[7] = 0b101; // app_limited 1, fastopen_client_fail 2
    buf.writeUInt32LE(10, 80); // tcpi_snd_cwnd
    const got = new Map(decodeTcpInfo(buf));
    expect(got.get('tcpi_state')).toBe(1n);
    expect(got.get('tcpi_snd_wscale')).toBe(8n);
    expect(got.get('tcpi_rcv_wscale')).toBe(7n);
    expect(got.get('tcpi_delivery_rate_app_limited')).toBe(1n);
    expect(got.get('tcpi_fastopen_client_fail')).toBe(2n);
    expect(got.get('tcpi_snd_cwnd')).toBe(10n);
    expect(got.get('tcpi_total_retrans')).toBe(0n); // offset 100..104: covered
    expect(got.has('tcpi_pacing_rate')).toBe(false); // offset 104: not
    expect(got.has('tcpi_snd_wnd')).toBe(false);
  });

  it('reads 64-bit counters exactly', () => {
    const buf = Buffer.alloc(280, 0);
    buf.writeBigUInt64LE(0xfedcba9876543210n, TCP_INFO_FIELDS.find((f) => f.name === 'tcpi_bytes_acked')!.offset);
    expect(new Map(decodeTcpInfo(buf)).get('tcpi_bytes_acked')).toBe(0xfedcba9876543210n);
  });
});

describe('the Python file', () => {
  const text = [
    '0 `true`', // line 1
    '+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%', // line 2
    '+0 %{', // line 3
    'assert tcpi_ca_state == TCP_CA_CWR, tcpi_ca_state', // line 4
    '', // line 5
    '# a comment', // line 6
    'assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd', // line 7
    '}%', // line 8
    '+0 %{ assert 1 <= tcpi_rtt, tcpi_rtt; \\', // line 9
    '\t assert 0 == tcpi_rwnd_limited, tcpi_rwnd_limited;\\', // line 10
    '   }%', // line 11
  ].join('\n');
  const actions = codeActions(text);
  const snippets: CodeSnippet[] = actions.map((action, i) => ({ action, vars: vars({ tcpi_snd_cwnd: 10 + i }) }));
  const program = buildPythonProgram(SCRIPT, snippets);
  const pyLines = program.source.split('\n');

  it('defines the Linux symbols, then each snippet after its collected values', () => {
    expect(pyLines).toContain('TCP_CA_CWR = 2');
    expect(pyLines).toContain('TCPI_OPT_SYN_DATA = 32');
    expect(pyLines).toContain('TCP_ESTABLISHED = 1');
    expect(pyLines).toContain('TCP_INFINITE_SSTHRESH = 2147483647');
    expect(program.spans).toHaveLength(3);
    const [a, b] = program.spans;
    expect(pyLines[a!.codeLine - 1]).toBe('assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd');
    expect(pyLines.slice(a!.firstLine - 1, a!.codeLine - 1)).toContain('tcpi_snd_cwnd = 10');
    expect(pyLines.slice(b!.firstLine - 1, b!.codeLine - 1)).toContain('tcpi_snd_cwnd = 11');
    expect(b!.firstLine).toBe(a!.lastLine + 1);
  });

  it('maps a line of the file back to its snippet and script line', () => {
    const [a, b, c] = program.spans;
    expect(snippetAt(program, a!.codeLine, snippets)).toEqual({ index: 0, scriptLine: 2, text: 'assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd' });
    // The second snippet starts with the newline after `%{` (line 3).
    expect(snippetAt(program, b!.codeLine + 1, snippets)).toEqual({ index: 1, scriptLine: 4, text: 'assert tcpi_ca_state == TCP_CA_CWR, tcpi_ca_state' });
    expect(snippetAt(program, b!.codeLine + 4, snippets)).toEqual({ index: 1, scriptLine: 7, text: 'assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd' });
    expect(snippetAt(program, c!.codeLine + 1, snippets)?.scriptLine).toBe(10);
    expect(snippetAt(program, b!.firstLine, snippets)).toEqual({ index: 1, scriptLine: 3 }); // an assignment line
    expect(snippetAt(program, 2, snippets)).toBeUndefined(); // the symbol table
  });

  it.skipIf(!hasPython)('is valid Python for every code event of the corpus', () => {
    const files = corpusScripts().filter((f) => readFileSync(join(CORPUS, f), 'utf8').includes('%{'));
    expect(files.length).toBeGreaterThan(0);
    const written: string[] = [];
    for (const f of files) {
      let script: Script;
      try {
        script = parseScript(readFileSync(join(CORPUS, f), 'utf8'), f, { defines: corpusVariants(f)[0]!.defines });
      } catch {
        continue; // parse failures are the parser's tests' business
      }
      const snips = script.events.map((e) => e.action).filter((a): a is CodeAction => a.kind === 'code').map((action) => ({ action, vars: vars() }));
      if (snips.length === 0) continue;
      const py = join(tmp, `corpus-${written.length}.py`);
      writeFileSync(py, buildPythonProgram(f, snips).source);
      written.push(py);
    }
    // One interpreter compiles them all (a process per file is slow).
    const check = 'import ast, sys\nfor p in sys.argv[1:]:\n    try: ast.parse(open(p).read(), p)\n    except SyntaxError as e: print(p, e)\n';
    const r = spawnSync('python3', ['-c', check, ...written], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    const checked = written.length;
    expect(checked).toBeGreaterThan(50);
  });
});

describe('parseTraceback', () => {
  const file = '/tmp/tsdrill-code-x/demo.pkt.py';
  it('finds the outermost frame in our file and the exception line', () => {
    const stderr = [
      'Traceback (most recent call last):',
      `  File "${file}", line 912, in <module>`,
      '    check()',
      `  File "${file}", line 900, in check`,
      '    assert tcpi_snd_cwnd == 40, tcpi_snd_cwnd',
      '           ^^^^^^^^^^^^^^^^^^^',
      'AssertionError: 38',
      '',
    ].join('\n');
    expect(parseTraceback(stderr, file)).toEqual({ line: 912, summary: 'AssertionError: 38' });
  });
  it('reads syntax errors, which have no "Traceback" header', () => {
    const stderr = [`  File "${file}", line 7`, '    def f(', '         ^', "SyntaxError: '(' was never closed"].join('\n');
    expect(parseTraceback(stderr, file)).toEqual({ line: 7, summary: "SyntaxError: '(' was never closed" });
  });
  it('has no line when the output holds no frame of our file', () => {
    expect(parseTraceback('sh: 1: pythonx: not found\n', file)).toEqual({});
  });
});

describe.skipIf(!hasPython)('CodeEvents.finish with python3', () => {
  it('runs every snippet in one namespace and logs their output', async () => {
    const [a, b, c] = codeActions(
      ['0 %{ print(tcpi_snd_cwnd); cwnd = 10; TCP_INFINITE_SSTHRESH = 0x7fffffff }%', '+0 %{ cwnd += 1; assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd }%', '+0 %{ assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH; assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0 }%'].join('\n'),
    );
    const log: string[] = [];
    const events = new CodeEvents({ codeCommand: 'python3', log: (l) => log.push(l) });
    events.add(a!, vars({ tcpi_snd_cwnd: 10 }));
    events.add(b!, vars({ tcpi_snd_cwnd: 11 }));
    events.add(c!, vars({ tcpi_snd_ssthresh: 0x7fffffff, tcpi_options: 0x27 }));
    expect(events.count).toBe(3);
    await events.finish(SCRIPT);
    expect(log).toEqual(['code: 10']);
  });

  it('reports a failed assertion at its snippet, with the statement, the values and the traceback', async () => {
    const actions = codeActions(
      [
        '0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%',
        '+.1 `true`',
        '+0 %{',
        'assert tcpi_ca_state == TCP_CA_CWR, tcpi_ca_state',
        '',
        '# PRR',
        'assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd',
        '}%',
        '+0 %{ assert False, "never reached" }%',
      ].join('\n'),
    );
    const events = new CodeEvents({ codeCommand: 'python3' });
    events.add(actions[0]!, vars({ tcpi_snd_cwnd: 10 }));
    events.add(actions[1]!, vars({ tcpi_snd_cwnd: 5, tcpi_ca_state: 2 }));
    events.add(actions[2]!, vars());
    const e = await failure(events);
    expect(e.kind).toBe('code');
    expect(e.loc.start.line).toBe(3); // the `%{` line, as the reference reports it
    expect(e.loc).toEqual(actions[1]!.loc);
    expect(e.message).toBe('error in Python code: AssertionError: 5');
    expect(e.legacy).toBe('error in Python code');
    expect(e.notes[0]).toBe('failing statement (line 7): assert tcpi_snd_cwnd == 4, tcpi_snd_cwnd');
    expect(e.notes[1]).toBe('collected at line 3: tcpi_snd_cwnd = 5');
    expect(e.notes.at(-1)).toBe('python: AssertionError: 5');
    expect(e.notes.some((n) => typeof n === 'string' && /python: +File "demo\.pkt\.py", line \d+, in <module>/.test(n))).toBe(true);
    expect(e.notes.join('\n')).not.toContain('tsdrill-code-'); // the temporary path is not shown
  });

  it('maps a failure on a backslash-continued line to its snippet', async () => {
    const actions = codeActions(
      [
        '0 %{ assert 19000 <= tcpi_sndbuf_limited <= 21000, tcpi_sndbuf_limited; \\',
        '\t assert 49000 <= tcpi_busy_time <= 52000, tcpi_busy_time; \\',
        '\t assert 0 == tcpi_rwnd_limited, tcpi_rwnd_limited }%',
        '+0 %{ assert 1 == 1;\\',
        '   }%',
        '+0 %{ assert tcpi_busy_time == 0, tcpi_busy_time; \\',
        '\t assert 0 == tcpi_rwnd_limited, tcpi_rwnd_limited }%',
      ].join('\n'),
    );
    const events = new CodeEvents({ codeCommand: 'python3' });
    events.add(actions[0]!, vars({ tcpi_sndbuf_limited: 20000, tcpi_busy_time: 50000 }));
    events.add(actions[1]!, vars());
    events.add(actions[2]!, vars({ tcpi_rwnd_limited: 3 }));
    const e = await failure(events);
    expect(e.loc.start.line).toBe(6);
    expect(e.message).toBe('error in Python code: AssertionError: 3');
  });

  it('reports an unknown name and a syntax error at their snippets', async () => {
    const actions = codeActions(['0 %{ x = 1 }%', '+0 %{ assert tcpi_no_such_field == 0 }%', '+0 %{ assert (1 == }%'].join('\n'));
    const names = new CodeEvents({ codeCommand: 'python3' });
    names.add(actions[0]!, vars());
    names.add(actions[1]!, vars());
    const e1 = await failure(names);
    expect(e1.loc.start.line).toBe(2);
    expect(e1.message).toBe("error in Python code: NameError: name 'tcpi_no_such_field' is not defined");

    const syntax = new CodeEvents({ codeCommand: 'python3' });
    for (const a of actions) syntax.add(a, vars());
    const e2 = await failure(syntax);
    expect(e2.loc.start.line).toBe(3);
    expect(e2.message).toMatch(/^error in Python code: SyntaxError: /);
  });

  it('reports a failing code command without a traceback at the first snippet', async () => {
    const actions = codeActions(['0 %{ pass }%', '+0 %{ pass }%'].join('\n'));
    const events = new CodeEvents({ codeCommand: 'tsdrill-no-such-python' });
    for (const a of actions) events.add(a, vars());
    const e = await failure(events);
    expect(e.loc.start.line).toBe(1);
    expect(e.message).toBe('error in Python code: `tsdrill-no-such-python demo.pkt.py` failed with exit status 127');
    expect(e.notes.join('\n')).toMatch(/not found/);
  });

  it('removes its temporary file whether the code passes or fails', async () => {
    const [a] = codeActions('0 %{ pass }%');
    for (const exit of [0, 1]) {
      const log: string[] = [];
      const events = new CodeEvents({ codeCommand: `python3 -c 'import sys; print(sys.argv[1]); sys.exit(${exit})'`, log: (l) => log.push(l) });
      events.add(a!, vars());
      await events.finish(SCRIPT).catch(() => undefined);
      const path = log[0]!.replace(/^code: /, '');
      expect(path).toMatch(/tsdrill-code-.*\/demo\.pkt\.py$/);
      expect(existsSync(path)).toBe(false);
    }
  });

  it('does nothing without code events, and runs the file only once', async () => {
    const none = new CodeEvents({ codeCommand: 'false' });
    await none.finish(SCRIPT);
    const [a] = codeActions('0 %{ print(1) }%');
    const log: string[] = [];
    const once = new CodeEvents({ codeCommand: 'python3', log: (l) => log.push(l) });
    once.add(a!, vars());
    await once.finish(SCRIPT);
    await once.finish(SCRIPT);
    expect(log).toEqual(['code: 1']);
  });
});

describe('CodeEvents.collect', () => {
  it('needs a socket under test', () => {
    const [a] = codeActions('0 %{ pass }%');
    const events = new CodeEvents({ codeCommand: 'python3' });
    expect(() => events.collect(a!, undefined)).toThrow(new ScriptError('runtime', 'no socket to use for code', a!.loc));
    try {
      events.collect(a!, undefined);
    } catch (e) {
      expect((e as ScriptError).loc).toEqual(a!.loc);
    }
  });

  it('fails on a descriptor that is not a TCP socket', () => {
    const [a] = codeActions('0 %{ pass }%');
    const events = new CodeEvents({ codeCommand: 'python3' });
    expect(() => events.collect(a!, 0)).toThrow(/cannot read TCP_INFO of the socket under test: .*errno/);
    expect(events.count).toBe(0);
  });
});
