// `tsdrill conformance [--requirements FILE] [--results FILE ...] [--html OUT] [PATH ...]`:
// the requirements file, the scripts' `// conforms:` tags and optional run results in, the
// matrix out (text on stdout, a static HTML page with --html).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverScripts } from '../../runner/discover.js';
import { parseScript, ParseError } from '../parser/index.js';
import { ConformanceError, type Problem } from './errors.js';
import { formatMatrixHtml } from './html.js';
import { buildMatrix } from './matrix.js';
import { parseRequirements } from './requirements.js';
import { addResults, type KernelResults } from './results.js';
import { scriptTags, type TaggedScript } from './tags.js';
import { formatMatrixText } from './text.js';

export const CONFORMANCE_HELP = `Usage: tsdrill conformance [options] [PATH...]

Writes the conformance matrix: each requirement of the requirements file, the scripts whose
\`// conforms: <id>\` comments claim it, and their verdict on each kernel of the results given.
PATHs are scripts or directories searched for *.pkt (default: scripts/).

Options:
  --requirements FILE   requirements (default: conformance/rfc8684.yaml of this package)
  --results FILE        a \`tsdrill run --json\` document; repeat for several runs or kernels
                        (a run's kernel is its "kernel" field, else the file name)
  --html OUT            also write the matrix as a static HTML page
  -h, --help            this text

Exit status: 0 matrix written, 2 usage error or a problem in the inputs (unknown or
duplicate requirement id, malformed requirements file, unreadable results).
`;

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), existsSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json')) ? '../..' : '../../..');

interface ConformanceArgs {
  requirements: string;
  results: string[];
  html?: string;
  paths: string[];
  help: boolean;
}

class UsageError extends Error {}

export function parseConformanceArgs(argv: readonly string[]): ConformanceArgs {
  const a: ConformanceArgs = { requirements: resolve(PACKAGE_ROOT, 'conformance/rfc8684.yaml'), results: [], paths: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (arg === '-h' || arg === '--help') a.help = true;
    else if (m && ['requirements', 'results', 'html'].includes(m[1]!)) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${m[1]} needs a file name`);
      if (m[1] === 'requirements') a.requirements = value;
      else if (m[1] === 'results') a.results.push(value);
      else a.html = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (see tsdrill conformance --help)`);
    else a.paths.push(arg);
  }
  if (a.paths.length === 0) a.paths.push('scripts');
  return a;
}

const display = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

export function conformanceMain(argv: readonly string[], io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) }): number {
  let args: ConformanceArgs;
  try {
    args = parseConformanceArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`tsdrill conformance: ${e.message}\n`);
    return 2;
  }
  if (args.help) {
    io.out(CONFORMANCE_HELP);
    return 0;
  }
  const fail = (message: string) => {
    io.err(`tsdrill conformance: ${message}\n`);
    return 2;
  };
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return undefined;
    }
  };

  const reqFile = display(args.requirements);
  const reqSource = read(args.requirements);
  if (reqSource === undefined) return 2;
  let files: string[];
  try {
    files = discoverScripts(args.paths);
  } catch (e) {
    return fail(`cannot read ${(e as NodeJS.ErrnoException).path ?? ''}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const results = new Map<string, KernelResults>();
  for (const f of args.results) {
    const text = read(f);
    if (text === undefined) return 2;
    try {
      addResults(results, text, f);
    } catch (e) {
      return fail((e as Error).message);
    }
  }

  try {
    const set = parseRequirements(reqSource, reqFile);
    const known = new Set(set.requirements.map((r) => r.id));
    const untestable = new Set(set.untestable.map((r) => r.id));
    for (const u of set.untestable)
      if (known.has(u.id)) throw new ConformanceError([{ file: reqFile, source: reqSource, loc: u.loc, message: `duplicate requirement id "${u.id}" (also under \`requirements:\`)` }]);
    const problems: Problem[] = [];
    const tagged: TaggedScript[] = [];
    for (const file of files) {
      const source = read(file);
      if (source === undefined) return 2;
      let script;
      try {
        script = parseScript(source, file);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        io.err(e.format(source) + '\n\n');
        return 2;
      }
      const { tags, problems: p } = scriptTags(script, file, source, known, untestable);
      problems.push(...p);
      if (tags.length) tagged.push({ file, tags });
    }
    if (problems.length) throw new ConformanceError(problems);

    const matrix = buildMatrix(set, tagged, [...results.values()]);
    io.out(formatMatrixText(matrix, { requirementsFile: reqFile, scriptCount: tagged.length }));
    if (args.html) {
      const outDir = dirname(resolve(args.html));
      const command = ['tsdrill conformance', ...argv].join(' ');
      mkdirSync(outDir, { recursive: true });
      writeFileSync(args.html, formatMatrixHtml(matrix, { requirementsFile: reqFile, command, scriptHref: (s) => relative(outDir, resolve(s)) }));
    }
    return 0;
  } catch (e) {
    if (!(e instanceof ConformanceError)) throw e;
    io.err(e.format() + '\n');
    io.err(`tsdrill conformance: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}\n`);
    return 2;
  }
}
