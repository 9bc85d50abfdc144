// The requirements each script claims to test: its `// conforms: <id>[, <id> ...]` directives.
import { scriptDirectives } from '../parser/directives.js';
import type { Script, SourceLocation } from '../parser/ast.js';
import { suggestSymbol } from '../syscalls/suggest.js';
import type { Problem } from './errors.js';

export interface ScriptTag {
  id: string;
  /** Where the id is written in the script. */
  loc: SourceLocation;
}

export interface TaggedScript {
  file: string;
  tags: ScriptTag[];
}

/**
 * The ids of a script's `conforms` directives (separated by commas and/or blanks), each with its
 * own location. Ids not in `known`, and an id claimed twice by the same script, are problems.
 */
export function scriptTags(script: Pick<Script, 'comments'>, file: string, source: string, known: ReadonlySet<string>, untestable: ReadonlySet<string>): { tags: ScriptTag[]; problems: Problem[] } {
  const tags: ScriptTag[] = [];
  const problems: Problem[] = [];
  for (const d of scriptDirectives(script, 'conforms')) {
    const re = /[^\s,]+/g;
    let m: RegExpExecArray | null;
    let any = false;
    while ((m = re.exec(d.value))) {
      any = true;
      const id = m[0];
      const startOffset = d.valueLoc.start.offset + m.index;
      const at = (offset: number) => ({ offset, line: d.valueLoc.start.line, column: d.valueLoc.start.column + (offset - d.valueLoc.start.offset) });
      const loc = { start: at(startOffset), end: at(startOffset + id.length) };
      const first = tags.find((t) => t.id === id);
      if (first) problems.push({ file, source, loc, message: `duplicate requirement id "${id}" (already claimed at line ${first.loc.start.line})` });
      else if (untestable.has(id)) problems.push({ file, source, loc, message: `requirement "${id}" is listed as untestable; move it to \`requirements:\` before claiming it` });
      else if (!known.has(id)) problems.push({ file, source, loc, message: `unknown requirement id "${id}"${suggest(id, known)}` });
      else tags.push({ id, loc });
    }
    if (!any) problems.push({ file, source, loc: d.loc, message: '`conforms:` names no requirement id' });
  }
  return { tags, problems };
}

/** ` (did you mean "x"?)` for the closest known id. */
function suggest(id: string, known: ReadonlySet<string>): string {
  const best = suggestSymbol(id, known);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}
