// Findings tolerated for now, by file and rule: code merged from parallel work (conformance,
// VM, MPTCP scripts) at the same time as the linter. A finding of another rule, or in another
// file, fails npm test; remove an entry once its file is clean.
export const BASELINE: ReadonlySet<string> = new Set([
  'src/conformance/command.ts layering', // imports runner/discover.js: discovery could move to src/
  'src/conformance/text.ts long-line',
  'src/interpreter/mptcp.ts long-line',
  'src/vm/initramfs.ts short-name',
  'test/conformance/matrix-command.test.ts long-line',
  'test/conformance/tags-results.test.ts long-line',
  'test/interpreter/mptcp.test.ts long-line',
  'test/vm/vm.boot.test.ts long-line',
]);
