import type { RunResult } from './result.js';

/** YAML-safe block scalar lines for a TAP diagnostic. */
function yamlBlock(key: string, text: string, indent: string): string[] {
  return [`${indent}${key}: |-`, ...text.split('\n').map((l) => `${indent}  ${l}`)];
}

/** One TAP test point (and its YAML diagnostic when it failed). */
export function tapTestPoint(id: number, r: RunResult, indent = ''): string[] {
  const name = `${r.script} ${r.variant}`;
  const time = ` # time=${r.durationMs}ms`;
  if (r.verdict === 'skip') return [`${indent}ok ${id} - ${name} # SKIP ${r.skipReason ?? ''}`.trimEnd()];
  if (r.verdict === 'pass') return [`${indent}ok ${id} - ${name}${time}`];
  const lines = [`${indent}not ok ${id} - ${name}${r.verdict === 'timeout' ? ' # timeout' : time}`];
  lines.push(`${indent}  ---`);
  if (r.error) {
    lines.push(`${indent}  message: ${JSON.stringify(r.error.message)}`);
    lines.push(`${indent}  severity: fail`);
    if (r.error.line !== undefined) lines.push(`${indent}  at: ${JSON.stringify(`${r.error.file}:${r.error.line}:${r.error.column}`)}`);
    lines.push(...yamlBlock('legacy', r.error.legacy, `${indent}  `));
    lines.push(...yamlBlock('diagnostic', r.error.framed, `${indent}  `));
  } else {
    lines.push(`${indent}  message: ${JSON.stringify(r.verdict)}`);
  }
  lines.push(`${indent}  ...`);
  return lines;
}

/** A flat TAP 13 document: one test point per script run. */
export function formatTap(results: readonly RunResult[]): string {
  const out = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, i) => out.push(...tapTestPoint(i + 1, r)));
  return out.join('\n') + '\n';
}
