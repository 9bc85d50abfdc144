// The conformance matrix: requirement -> scripts that claim it -> verdict per kernel, with
// totals per section. A pure model; text.ts and html.ts render it.
import type { Verdict } from '../report/result.js';
import type { Requirement, RequirementSet, UntestableRequirement } from './requirements.js';
import { verdictOf, worse, type KernelResults, type ScriptVerdict } from './results.js';
import type { TaggedScript } from './tags.js';

export interface ScriptCell {
  script: string;
  /** One per kernel, in Matrix.kernels order; undefined = not in that kernel's results. */
  verdicts: (ScriptVerdict | undefined)[];
}

export interface MatrixRow {
  req: Requirement;
  scripts: ScriptCell[];
  /** Per kernel: the worst verdict of the scripts that ran there; undefined if none ran. */
  verdicts: (Verdict | undefined)[];
}

export interface Totals {
  requirements: number;
  covered: number;
  must: number;
  mustCovered: number;
  /** Per kernel: requirements whose verdict there is pass (all claiming scripts that ran passed). */
  passing: number[];
}

export interface SectionTotals extends Totals {
  section: string;
}

export interface Matrix {
  title: string;
  kernels: string[];
  rows: MatrixRow[];
  sections: SectionTotals[];
  totals: Totals;
  untestable: UntestableRequirement[];
}

/** Numeric order of dotted sections: 3.3 < 3.3.1 < 3.3.8 < 3.4. */
export function compareSections(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

export function buildMatrix(set: RequirementSet, scripts: readonly TaggedScript[], results: readonly KernelResults[]): Matrix {
  const kernels = results.map((r) => r.kernel);
  const claimed = new Map<string, string[]>();
  for (const s of scripts) for (const t of s.tags) claimed.set(t.id, [...(claimed.get(t.id) ?? []), s.file]);

  const rows = set.requirements.map((req): MatrixRow => {
    const cells = (claimed.get(req.id) ?? []).sort().map((script) => ({ script, verdicts: results.map((k) => verdictOf(k, script)) }));
    const verdicts = kernels.map((_, i) => cells.reduce<Verdict | undefined>((acc, c) => (c.verdicts[i] ? (acc ? worse(acc, c.verdicts[i]!.verdict) : c.verdicts[i]!.verdict) : acc), undefined));
    return { req, scripts: cells, verdicts };
  });

  const tally = (rs: readonly MatrixRow[]): Totals => ({
    requirements: rs.length,
    covered: rs.filter((r) => r.scripts.length > 0).length,
    must: rs.filter((r) => r.req.level === 'MUST').length,
    mustCovered: rs.filter((r) => r.req.level === 'MUST' && r.scripts.length > 0).length,
    passing: kernels.map((_, i) => rs.filter((r) => r.verdicts[i] === 'pass').length),
  });
  const sectionNames = [...new Set(rows.map((r) => r.req.section))].sort(compareSections);
  return {
    title: set.title,
    kernels,
    rows,
    sections: sectionNames.map((section) => ({ section, ...tally(rows.filter((r) => r.req.section === section)) })),
    totals: tally(rows),
    untestable: set.untestable,
  };
}

/** Rows in presentation order: requirements no script claims first, then by section and file order. */
export function orderedRows(m: Matrix): MatrixRow[] {
  const bySection = (a: MatrixRow, b: MatrixRow) => compareSections(a.req.section, b.req.section);
  return [...m.rows.filter((r) => r.scripts.length === 0).sort(bySection), ...m.rows.filter((r) => r.scripts.length > 0).sort(bySection)];
}

export function percent(n: number, of: number): string {
  return of === 0 ? '-' : `${Math.round((100 * n) / of)}%`;
}
