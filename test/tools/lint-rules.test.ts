import { describe, expect, it } from 'vitest';
import { lintSource, MAX_LINE, SHORT_NAME_SPAN } from '../../tools/lint/rules.js';

const rules = (file: string, text: string) => lintSource(file, text).map((f) => `${f.line}:${f.rule}`);
const filler = (n: number) => Array.from({ length: n }, (_, i) => `  console.debug(${i});`).join('\n');

describe('lint rules', () => {
  it('long-line: code over the maximum, not a line that is mostly a string or only data', () => {
    const code = `const x = f(${'a + '.repeat(60)}1);`;
    expect(code.length).toBeGreaterThan(MAX_LINE);
    expect(rules('src/a.ts', code)).toEqual(['1:long-line']);
    expect(rules('src/a.ts', `throw new Error(\`${'words '.repeat(40)}\${x}\`);`)).toEqual([]);
    expect(rules('src/a.ts', `  MSG: [${"'MSG_OOB', ".repeat(25)}],`)).toEqual([]);
  });

  it('short-name: a one-letter name used over many lines, not a short-lived one or a loop counter', () => {
    const long = `function f(p: number) {\n  const a = 1;\n${filler(SHORT_NAME_SPAN)}\n  return a + p;\n}`;
    expect(rules('src/a.ts', long)).toEqual(['1:short-name', '2:short-name']);
    const short = `function g() {\n${filler(SHORT_NAME_SPAN)}\n  const w = 2;\n  return w;\n}\nfor (let i = 0; i < 3; i++) {\n${filler(SHORT_NAME_SPAN)}\n  console.debug(i);\n}`;
    expect(rules('src/a.ts', short)).toEqual([]);
  });

  it('lint-allow with a reason lets a finding stand on its own line and the next', () => {
    const long = `function f() {\n  // lint-allow short-name: the one value here\n  const a = 1;\n${filler(SHORT_NAME_SPAN)}\n  return a;\n}`;
    expect(rules('src/a.ts', long)).toEqual([]);
    expect(rules('src/a.ts', long.replace(': the one value here', ''))).toEqual(['3:short-name']);
  });

  it('focused-test: it.only and describe.only', () => {
    expect(rules('test/a.test.ts', "it.only('x', () => {});\ndescribe.only('y', () => {});\nit('z', () => {});")).toEqual(['1:focused-test', '2:focused-test']);
  });

  it('layering: a value import from an upper layer; type-only imports are fine', () => {
    expect(rules('src/codec/packet.ts', "import { parseScript } from '../parser/index.js';")).toEqual(['1:layering']);
    expect(rules('src/report/tap.ts', "import { runScript } from '../interpreter/run.js';")).toEqual(['1:layering']);
    expect(rules('src/interpreter/run.ts', "import { x } from '../../runner/cli.js';")).toEqual(['1:layering']);
    expect(rules('src/report/result.ts', "import type { IpVersion } from '../interpreter/config.js';")).toEqual([]);
    expect(rules('src/interpreter/run.ts', "import { compareTcp } from '../assertions/outbound.js';")).toEqual([]);
  });

  it('silent-catch: an empty catch without a comment', () => {
    expect(rules('src/a.ts', 'try { f(); } catch {}\ntry { g(); } catch { /* already closed */ }')).toEqual(['1:silent-catch']);
  });
});
