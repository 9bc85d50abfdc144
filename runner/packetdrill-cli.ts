// packetdrill's own command line, for wrappers that call packetdrill (run_all.py, the kernel
// selftests): `tsdrill [flags] script.pkt...` runs in the CURRENT network namespace (the caller
// isolates it), scripts one after the other, and stops at the first failure with packetdrill's
// one-line error first on stderr, so existing log scrapers keep working.
import { writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { runJob } from '../src/cli/run-job.js';
import { IP_VERSIONS, KNOWN_FLAGS, type Flag, type IpVersion } from '../src/interpreter/config.js';
import { libc } from '../src/sys/libc.js';
import { PD_BOOLEAN, UsageError } from './args.js';
import { watchKernelLog, withKernelSplats } from './kernel-log-watch.js';
import { kernelSplatsText } from '../src/report/suites.js';

export function parsePacketdrillArgs(argv: readonly string[]): { flags: Flag[]; scripts: string[] } {
  const flags: Flag[] = [];
  const scripts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-v') flags.push({ name: 'verbose' });
    else if (arg === '-D') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('option -D requires NAME=VALUE');
      flags.push({ name: 'define', value: v });
    } else if (arg.startsWith('-D')) flags.push({ name: 'define', value: arg.slice(2) });
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!KNOWN_FLAGS.includes(name)) throw new UsageError(`option '${name}' unknown`);
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      if (value === undefined && !PD_BOOLEAN.has(name)) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`option '${name}' requires an argument`);
      }
      flags.push({ name, value });
    } else scripts.push(arg);
  }
  if (scripts.length === 0) throw new UsageError('usage: tsdrill [packetdrill flags] script.pkt ...');
  return { flags, scripts };
}

const KSFT_SKIP = 4;

/** Runs packetdrill-style; ends the process (a blocked syscall thread must not keep it alive). */
export async function packetdrillMain(argv: readonly string[]): Promise<never> {
  const err = (s: string) => writeSync(2, s.endsWith('\n') ? s : `${s}\n`);
  let code = 0;
  try {
    const { flags, scripts } = parsePacketdrillArgs(argv);
    const ipVersion = flags.filter((f) => f.name === 'ip_version').pop()?.value ?? 'ipv4';
    if (!IP_VERSIONS.includes(ipVersion as IpVersion)) throw new UsageError(`bad --ip_version: ${ipVersion}`);
    const verbose = flags.some((f) => f.name === 'verbose');
    const kernelLog = watchKernelLog(err);
    for (const script of scripts) {
      await kernelLog?.begin(script);
      let r = await runJob(
        { file: resolve(script), display: script, variant: ipVersion as IpVersion, flags, toleranceScale: 1 },
        { log: verbose ? (l) => err(l) : undefined },
      );
      if (kernelLog) r = withKernelSplats(r, await kernelLog.end(script));
      if (r.verdict === 'pass') continue;
      if (r.verdict === 'skip') {
        // kselftest's exit status for a skip, unless another script fails.
        err(`${script}: SKIP: ${r.skipReason ?? ''}`);
        code = KSFT_SKIP;
        continue;
      }
      const e = r.error!;
      err(e.legacy.startsWith(basename(script)) || e.legacy.startsWith(script) ? e.legacy : `${script}: ${e.legacy}`);
      err(e.framed);
      if (r.kernelSplats) err(kernelSplatsText(r));
      code = e.kind === 'syntax' || e.kind === 'semantic' || e.kind === 'usage' ? 2 : 1;
      break;
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`tsdrill: ${e.message}`);
    code = 2;
  }
  libc.exit(code);
  throw new Error('unreachable');
}
