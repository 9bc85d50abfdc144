// Shared test helpers: an up-to-date generated parser, the corpus, and its defines.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS = process.env['TSDRILL_CORPUS'] ?? '/work/shared/corpus';

const GRAMMAR = join(ROOT, 'grammar/packetdrill.peggy');
const OUT_DIR = join(ROOT, 'src/parser/generated');

/**
 * Rebuilds src/parser/generated/ (same command as `npm run build:parser`) when it is missing
 * or older than the grammar, so tests never run against a stale parser. Builds into a
 * temporary directory and renames, so parallel test workers never see a half-written file.
 */
export function ensureParserBuilt(): void {
  const js = join(OUT_DIR, 'parser.js');
  const dts = join(OUT_DIR, 'parser.d.ts');
  const grammarTime = statSync(GRAMMAR).mtimeMs;
  if (existsSync(js) && existsSync(dts) && statSync(js).mtimeMs >= grammarTime) return;
  const tmp = mkdtempSync(join(ROOT, 'src/parser/.peggy-'));
  try {
    const peggy = join(ROOT, 'node_modules/peggy/bin/peggy.js');
    execFileSync(process.execPath, [peggy, '--format', 'es', '--dts', '-o', join(tmp, 'parser.js'), GRAMMAR], {
      stdio: 'pipe',
    });
    mkdirSync(OUT_DIR, { recursive: true });
    renameSync(join(tmp, 'parser.d.ts'), dts);
    renameSync(join(tmp, 'parser.js'), js);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Imports src/parser/index.ts after making sure the generated parser is current. */
export async function loadParser(): Promise<typeof import('../../src/parser/index.js')> {
  ensureParserBuilt();
  return import('../../src/parser/index.js');
}

/** Every *.pkt under the corpus, as paths relative to it (sorted). */
export function corpusScripts(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.pkt')) out.push(relative(CORPUS, p));
    }
  };
  if (existsSync(CORPUS)) walk(CORPUS);
  return out.sort();
}

/** The per-variant -D defines of the corpus runners (corpus README, "IP variants"). */
export function corpusVariants(script: string): { variant: string; defines: Record<string, string> }[] {
  if (script.startsWith('mptcp/')) {
    return [
      { variant: 'ipv4', defines: { TFO_COOKIE: 'de4f234f0f433a55', CMSG_LEVEL_IP: 'SOL_IP', CMSG_TYPE_RECVERR: 'IP_RECVERR', TCP_IS_MPTCP: '43' } },
      { variant: 'ipv4-mapped-ipv6', defines: { TFO_COOKIE: 'de4f234f0f433a55', CMSG_LEVEL_IP: 'SOL_IPV6', CMSG_TYPE_RECVERR: 'IPV6_RECVERR', TCP_IS_MPTCP: '43' } },
      { variant: 'ipv6', defines: { TFO_COOKIE: '6aa6ae70c288023b', CMSG_LEVEL_IP: 'SOL_IPV6', CMSG_TYPE_RECVERR: 'IPV6_RECVERR', TCP_IS_MPTCP: '43' } },
    ];
  }
  return [
    { variant: 'ipv4', defines: { TFO_COOKIE: '3021b9d889017eeb', CODE: 'host_unreachable', CMSG_LEVEL_IP: 'SOL_IP', CMSG_TYPE_RECVERR: 'IP_RECVERR' } },
    { variant: 'ipv4-mapped-ipv6', defines: { TFO_COOKIE: '3021b9d889017eeb', CODE: 'host_unreachable', CMSG_LEVEL_IP: 'SOL_IPV6', CMSG_TYPE_RECVERR: 'IPV6_RECVERR' } },
    { variant: 'ipv6', defines: { TFO_COOKIE: 'c1d1e9742a47a9bc', CMSG_LEVEL_IP: 'SOL_IPV6', CMSG_TYPE_RECVERR: 'IPV6_RECVERR' } },
  ];
}
