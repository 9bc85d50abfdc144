import { KNOWN_FLAGS, IP_VERSIONS, type Flag, type IpVersion } from '../src/interpreter/config.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface RunArgs {
  command: 'run' | 'parse' | 'help' | 'version';
  paths: string[];
  jobs: number;
  timeoutSec: number;
  variants?: IpVersion[];
  toleranceScale: number;
  filter?: RegExp;
  currentNetns: boolean;
  verbose: boolean;
  printAst: boolean;
  repeat: number;
  strict: boolean;
  junit?: string;
  json?: string;
  pcapDir?: string;
  pcapMode: 'fail' | 'all';
  /** packetdrill flags forwarded to every run (override script headers). */
  flags: Flag[];
}

/** Our own options (dashes); packetdrill's (underscores) are forwarded to the runs. */
const OWN_WITH_VALUE = new Set(['jobs', 'timeout', 'variants', 'tolerance-scale', 'filter', 'repeat', 'junit', 'json', 'pcap-dir', 'pcap']);
const OWN_BOOLEAN = new Set(['current-netns', 'print-ast', 'help', 'version', 'strict']);
export const PD_BOOLEAN = new Set(['tcp_ts_ecr_scaled', 'strict_segments', 'verbose', 'debug', 'dry_run', 'send_omit_free', 'is_anyip', 'allow_initial_netns', 'allow_deep_idle']);

export function parseArgs(argv: readonly string[], cores: number): RunArgs {
  // lint-allow short-name: 'a' is the RunArgs this whole function fills in, one option at a time
  const a: RunArgs = {
    command: 'help',
    paths: [],
    jobs: cores,
    timeoutSec: 180,
    toleranceScale: 1,
    currentNetns: false,
    verbose: false,
    printAst: false,
    repeat: 1,
    strict: false,
    pcapMode: 'fail',
    flags: [],
  };
  const rest = [...argv];
  const first = rest[0];
  if (first === 'run' || first === 'parse' || first === 'help' || first === 'check') {
    a.command = first === 'check' ? 'parse' : first;
    rest.shift();
  } else if (first === '--help' || first === '-h' || first === undefined) return a;
  else if (first === '--version') return { ...a, command: 'version' };
  else throw new UsageError(`unknown command '${first}' (expected run, parse or help)`);

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const takeValue = (name: string, inline: string | undefined): string => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`option ${name} requires a value`);
      return v;
    };
    if (arg === '-j') {
      a.jobs = positiveInt('-j', takeValue('-j', undefined));
      continue;
    }
    if (arg === '-v') {
      a.verbose = true;
      a.flags.push({ name: 'verbose' });
      continue;
    }
    if (arg === '-h') {
      a.command = 'help';
      continue;
    }
    if (arg === '-D') {
      a.flags.push({ name: 'define', value: takeValue('-D', undefined) });
      continue;
    }
    if (!arg.startsWith('--')) {
      a.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (OWN_BOOLEAN.has(name)) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      if (name === 'current-netns') a.currentNetns = true;
      if (name === 'print-ast') a.printAst = true;
      if (name === 'help') a.command = 'help';
      if (name === 'version') a.command = 'version';
      if (name === 'strict') a.strict = true;
    } else if (OWN_WITH_VALUE.has(name)) {
      const v = takeValue(`--${name}`, inline);
      if (name === 'jobs') a.jobs = positiveInt('--jobs', v);
      if (name === 'timeout') a.timeoutSec = positiveInt('--timeout', v);
      if (name === 'tolerance-scale') {
        a.toleranceScale = Number(v);
        if (!(a.toleranceScale > 0)) throw new UsageError(`bad --tolerance-scale: ${v} (expected a positive number)`);
      }
      if (name === 'filter') a.filter = regex(v);
      if (name === 'variants') a.variants = variantList(v);
      if (name === 'repeat') a.repeat = positiveInt('--repeat', v);
      if (name === 'junit') a.junit = v;
      if (name === 'json') a.json = v;
      if (name === 'pcap-dir') a.pcapDir = v;
      if (name === 'pcap') {
        if (v !== 'all' && v !== 'fail') throw new UsageError(`bad --pcap: ${v} (expected all or fail)`);
        a.pcapMode = v;
      }
    } else if (name === 'ip_version') {
      a.variants = variantList(takeValue('--ip_version', inline));
    } else if (KNOWN_FLAGS.includes(name)) {
      const value = PD_BOOLEAN.has(name) ? inline : takeValue(`--${name}`, inline);
      if (name === 'verbose') a.verbose = true;
      a.flags.push({ name, value });
    } else {
      throw new UsageError(`unknown option --${name}; see tsdrill --help`);
    }
  }
  if ((a.command === 'run' || a.command === 'parse') && a.paths.length === 0)
    throw new UsageError(`tsdrill ${a.command} needs at least one script or directory`);
  return a;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`bad ${name}: ${v} (expected a positive integer)`);
  return n;
}

function regex(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch (e) {
    throw new UsageError(`bad --filter: ${(e as Error).message}`);
  }
}

function variantList(v: string): IpVersion[] {
  const list = v.split(',').map((x) => x.trim());
  for (const x of list)
    if (!IP_VERSIONS.includes(x as IpVersion)) throw new UsageError(`bad IP version '${x}' (expected ${IP_VERSIONS.join(', ')})`);
  return list as IpVersion[];
}

export const HELP = `tsdrill: packetdrill-compatible network conformance tests against the real Linux kernel

Usage:
  tsdrill run [options] [packetdrill flags] PATH...   run scripts (directories are searched for *.pkt)
  tsdrill parse [--print-ast] FILE...                 parse only; framed errors, exit 2 on any
  tsdrill conformance [--results F.json] [--html OUT] [PATH...]   RFC 8684 matrix (--help)
  tsdrill --help | --version

Run options:
  -j, --jobs N            runs in parallel (default: number of cores)
  --timeout SECONDS       per-run timeout (default 180)
  --ip_version LIST       IP variants to run: ipv4, ipv4-mapped-ipv6, ipv6 (comma list; default
                          all that apply: *v4.pkt skips ipv6, *v6.pkt runs only ipv6)
  --tolerance-scale F     multiply every timing tolerance by F (e.g. 3 on CI, 8 on debug kernels)
  --filter REGEX          only scripts whose path matches
  --repeat N              run each script N times; mixed results are FLAKY (not a failure
                          unless --strict)
  --strict                flaky runs fail the run
  --junit FILE            also write JUnit XML (one testsuite per directory)
  --json FILE             also write results as JSON (docs/results-schema.md)
  --pcap-dir DIR          write a pcap of each failed run's tun0 traffic (--pcap=all: every run)
  --current-netns         run in this network namespace instead of a fresh one per run
  -v, --verbose           print every injected/sniffed packet and syscall of each run

Another kernel (README "Testing another kernel"): boot it in QEMU and run there
  --kernel K              K: a bzImage/vmlinuz, a built kernel tree, or a Debian kernel package
                          (name or .deb; fetched with apt-get download and cached)
  --vm-accel kvm|tcg      default: KVM when /dev/kvm works, else TCG with tolerances x4
  --vm-cpus N, --vm-memory MIB    guest size (default 2 CPUs, 2048 MiB)
  --vm-boot-timeout S, --vm-hang-timeout S   give up on a guest (default 120 s each)
  --vm-log FILE           write the guest's console and kernel log (dmesg) to FILE
  --vm-verbose            print the QEMU command line and the guest's console

packetdrill flags (override the script's own header lines), e.g.:
  --tolerance_usecs=N --local_ip=A --remote_ip=A[/len] --gateway_ip=A --netmask_ip=M
  --bind_port=N --connect_port=N --mtu=N --non_fatal=packet -D NAME=VALUE
  --allow_initial_netns   (with --current-netns) allow running in the host's namespace
  --allow_deep_idle       let idle CPUs sleep deeply (by default they are kept polling
                          the last 3 ms before each timed event, so they wake in time)

Each run happens as root in a private network namespace with its own tun0; nothing
touches the host's interfaces. Output is TAP version 13 on stdout: one subtest per directory
(\`ok 1 test: packetdrill_<dir>\`), one line per script and IP variant. On a terminal a progress
line and a summary go to stderr (not when CI is set).
Exit status: 0 all passed (flaky allowed), 1 a run failed (or could not run), 2 usage or parse
error, 3 internal error of tsdrill, 4 the kernel under --kernel could not run the suite (boot
failure, panic, hang), 130 interrupted (Ctrl-C or SIGTERM: runs killed, result files written and
marked incomplete).
`;
