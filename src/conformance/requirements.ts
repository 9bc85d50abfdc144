// The requirements file (conformance/rfc8684.yaml): what a standard requires, one entry per
// testable requirement, plus those judged untestable. Parsed with the `yaml` package so that
// every problem (a missing field, a duplicate id) points at its line and column.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../parser/ast.js';
import { ConformanceError, type Problem } from './errors.js';

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export type Level = (typeof LEVELS)[number];
export const SIDES = ['initiator', 'listener', 'sender', 'receiver', 'both'] as const;
export type Side = (typeof SIDES)[number];

export interface Requirement {
  id: string;
  section: string;
  level: Level;
  side: Side;
  text: string;
  /** Testable but not covered yet: why. */
  gap?: string;
  /** Where the id is written (for errors pointing at it). */
  loc: SourceLocation;
}

export interface UntestableRequirement extends Omit<Requirement, 'gap'> {
  reason: string;
}

export interface RequirementSet {
  file: string;
  source: string;
  title: string;
  requirements: Requirement[];
  untestable: UntestableRequirement[];
}

/** Parses and checks a requirements file; throws ConformanceError listing every problem found. */
export function parseRequirements(source: string, file: string): RequirementSet {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true });
  const problems: Problem[] = [];
  const locOf = (range: readonly [number, number, number?] | null | undefined): SourceLocation => {
    const [start, end] = range ?? [0, 0];
    const at = (offset: number) => {
      const p = lines.linePos(offset);
      return { offset, line: p.line, column: p.col };
    };
    return { start: at(start), end: at(Math.max(end, start)) };
  };
  const problem = (message: string, node: YamlNode | null | undefined, fallback?: YamlNode | null) =>
    problems.push({ file, source, message, loc: locOf((node ?? fallback)?.range) });

  for (const e of doc.errors) problems.push({ file, source, message: e.message.split('\n')[0]!, loc: locOf([e.pos[0], e.pos[1]]) });
  if (problems.length) throw new ConformanceError(problems);

  const root = doc.contents;
  if (!isMap(root)) throw new ConformanceError([{ file, source, message: 'expected a mapping with `requirements:` and `untestable:`', loc: locOf(root?.range) }]);
  const title = scalarText(root.get('title', true)) ?? file;
  const seen = new Map<string, SourceLocation>();

  const entries = (key: string): YAMLMap[] => {
    const seq = root.get(key, true) as YamlNode | undefined;
    if (seq === undefined) {
      if (key === 'requirements') problem('missing `requirements:` list', root);
      return [];
    }
    if (!isSeq(seq)) {
      problem(`\`${key}:\` must be a list`, seq);
      return [];
    }
    return seq.items.filter((item): item is YAMLMap => {
      if (isMap(item)) return true;
      problem(`each entry of \`${key}:\` must be a mapping (id, section, level, side, text, ...)`, item as YamlNode, seq);
      return false;
    });
  };

  const common = (m: YAMLMap, extra: readonly string[]) => {
    for (const pair of m.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!['id', 'section', 'level', 'side', 'text', ...extra].includes(k)) problem(`unknown field \`${k}\` (expected id, section, level, side, text${extra.map((x) => `, ${x}`).join('')})`, pair.key as YamlNode);
    }
    const field = (name: string): { text?: string; node?: YamlNode } => {
      const node = m.get(name, true) as YamlNode | undefined;
      const text = scalarText(node);
      if (text === undefined || text.trim() === '') problem(`missing \`${name}:\``, node, m);
      return { text: text?.trim(), node };
    };
    const id = field('id');
    if (id.text !== undefined && !/^[0-9][0-9.]*-[a-z0-9][a-z0-9-]*$/.test(id.text)) problem(`id "${id.text}" is not of the form <section>-<name> (lower case, digits and dashes)`, id.node);
    const loc = locOf(id.node?.range ?? m.range);
    if (id.text) {
      const first = seen.get(id.text);
      if (first) problem(`duplicate requirement id "${id.text}" (first defined at line ${first.start.line})`, id.node);
      else seen.set(id.text, loc);
    }
    const section = field('section');
    const level = field('level');
    if (level.text !== undefined && !(LEVELS as readonly string[]).includes(level.text)) problem(`level "${level.text}" is not one of ${LEVELS.join(', ')}`, level.node);
    const side = field('side');
    if (side.text !== undefined && !(SIDES as readonly string[]).includes(side.text)) problem(`side "${side.text}" is not one of ${SIDES.join(', ')}`, side.node);
    const text = field('text');
    if (id.text && section.text && !id.text.startsWith(`${section.text}-`) && !id.text.startsWith(`${section.text.split('.').slice(0, 2).join('.')}-`))
      problem(`id "${id.text}" does not start with its section ${section.text}`, id.node);
    return { id: id.text ?? '', section: section.text ?? '', level: level.text as Level, side: side.text as Side, text: text.text ?? '', loc };
  };

  const requirements = entries('requirements').map((m): Requirement => {
    const r: Requirement = common(m, ['gap']);
    const gap = scalarText(m.get('gap', true) as YamlNode | undefined);
    if (gap !== undefined) r.gap = gap.trim();
    return r;
  });
  const untestable = entries('untestable').map((m): UntestableRequirement => {
    const reason = scalarText(m.get('reason', true) as YamlNode | undefined);
    if (reason === undefined || reason.trim() === '') problem('an untestable requirement needs `reason:` (why it cannot be tested over TUN)', m);
    return { ...common(m, ['reason']), reason: reason?.trim() ?? '' };
  });
  if (problems.length) throw new ConformanceError(problems);
  return { file, source, title, requirements, untestable };
}

function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return v === null || v === undefined ? undefined : String(v);
}
