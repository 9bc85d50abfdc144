import { readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

const ALLOWED_CC = '/proc/sys/net/ipv4/tcp_allowed_congestion_control';

async function has(command: string): Promise<boolean> {
  return (await execa('sh', ['-c', `command -v ${command}`], { reject: false })).exitCode === 0;
}

/**
 * Arranges the host as the reference verdicts were measured (../shared/corpus/README.md):
 * the tools the corpus's shell commands call (sysctl, tc, ethtool, jq) installed, and `cubic` in
 * the host's allowed congestion controls, since a non-initial netns cannot select anything
 * else. Returns a function that restores the allowed list.
 */
export async function prepareCorpusHost(log: (line: string) => void): Promise<() => void> {
  const packages: string[] = [];
  if (!(await has('sysctl'))) packages.push('procps');
  if (!(await has('tc'))) packages.push('iproute2');
  if (!(await has('ethtool'))) packages.push('ethtool');
  if (!(await has('jq'))) packages.push('jq'); // MPTCP scripts read nstat's JSON with jq
  if (packages.length) {
    log(`installing ${packages.join(' ')} (the corpus's shell commands use them)`);
    await execa('apt-get', ['update', '-qq'], { reject: false });
    const r = await execa('apt-get', ['install', '-y', '-qq', ...packages], { reject: false, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.exitCode !== 0) throw new Error(`apt-get install -y ${packages.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  const before = readFileSync(ALLOWED_CC, 'utf8').trim();
  if (before.split(/\s+/).includes('cubic')) return () => undefined;
  await execa('modprobe', ['tcp_cubic'], { reject: false });
  writeFileSync(ALLOWED_CC, `${before} cubic`);
  log(`host tcp_allowed_congestion_control: "${before}" -> "${before} cubic" (restored at the end)`);
  const restore = () => writeFileSync(ALLOWED_CC, before);
  process.once('exit', restore);
  return restore;
}
