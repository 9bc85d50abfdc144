import { prefixOfNetmask } from '../injector/netconfig.js';

export type IpVersion = 'ipv4' | 'ipv4-mapped-ipv6' | 'ipv6';
export const IP_VERSIONS: readonly IpVersion[] = ['ipv4', 'ipv4-mapped-ipv6', 'ipv6'];

/** Everything that shapes one run of one script: packetdrill's flags after defaults and overrides. */
export interface RunConfig {
  ipVersion: IpVersion;
  localIp: string;
  remoteIp: string;
  remotePrefix: number;
  gatewayIp: string;
  netmaskIp: string;
  bindPort: number;
  connectPort: number;
  mtu: number;
  mss?: number;
  speed?: number;
  toleranceUsecs: number;
  tolerancePercent: number;
  tcpTsTickUsecs: number;
  tcpTsEcrScaled: boolean;
  strictSegments: boolean;
  nonFatal: Set<'packet' | 'syscall'>;
  initScripts: string[];
  defines: Map<string, string>;
  verbose: boolean;
  dryRun: boolean;
  sendOmitFree: boolean;
  codeCommand: string;
  /** tsdrill's own: refuse to run in the host's namespace unless this is set. */
  allowInitialNetns: boolean;
  /**
   * tsdrill's own: let idle CPUs sleep deeply during the run. By default a run holds
   * /dev/cpu_dma_latency at 0 (src/sys/cpu-latency.ts), which costs idle CPU cycles for timing.
   */
  allowDeepIdle: boolean;
  /** Every flag as given (script header, then command line), for OPT_* variables. */
  given: Map<string, string>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Setter = (c: RunConfig, v: string | undefined, name: string) => void;

const int = (min: number, max: number) => (v: string | undefined, name: string) => {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`bad --${name}: ${v ?? '(missing value)'} (expected an integer from ${min} to ${max})`);
  return n;
};
const needValue = (v: string | undefined, name: string): string => {
  if (v === undefined) throw new ConfigError(`option --${name} requires an argument`);
  return v;
};
const noValue = (v: string | undefined, name: string) => {
  if (v !== undefined) throw new ConfigError(`option --${name} forbids an argument (got "${v}")`);
  return true;
};

/** packetdrill's flags; the table is the single list of what we accept (unknown flags are errors). */
const FLAGS: Record<string, Setter> = {
  ip_version: (c, v, n) => {
    const val = needValue(v, n);
    if (!IP_VERSIONS.includes(val as IpVersion)) throw new ConfigError(`bad --ip_version: ${val} (expected ipv4, ipv4-mapped-ipv6 or ipv6)`);
    c.ipVersion = val as IpVersion;
  },
  local_ip: (c, v, n) => void (c.localIp = needValue(v, n)),
  remote_ip: (c, v, n) => {
    const [ip, len] = needValue(v, n).split('/');
    c.remoteIp = ip!;
    if (len !== undefined) c.remotePrefix = int(0, 128)(len, n);
  },
  gateway_ip: (c, v, n) => void (c.gatewayIp = needValue(v, n)),
  netmask_ip: (c, v, n) => void (c.netmaskIp = needValue(v, n)),
  bind_port: (c, v, n) => void (c.bindPort = int(1, 65535)(v, n)),
  connect_port: (c, v, n) => void (c.connectPort = int(1, 65535)(v, n)),
  mtu: (c, v, n) => void (c.mtu = int(68, 65535)(v, n)),
  mss: (c, v, n) => void (c.mss = int(1, 65535)(v, n)),
  speed: (c, v, n) => void (c.speed = int(1, 1_000_000)(v, n)),
  tolerance_usecs: (c, v, n) => void (c.toleranceUsecs = int(1, 2 ** 31)(v, n)),
  tolerance_percent: (c, v, n) => {
    const p = Number(needValue(v, n));
    if (!(p >= 0 && p <= 100)) throw new ConfigError(`bad --tolerance_percent: ${v} (expected 0 to 100)`);
    c.tolerancePercent = p;
  },
  tcp_ts_tick_usecs: (c, v, n) => void (c.tcpTsTickUsecs = int(0, 2 ** 31)(v, n)),
  tcp_ts_ecr_scaled: (c, v, n) => void (c.tcpTsEcrScaled = noValue(v, n)),
  strict_segments: (c, v, n) => void (c.strictSegments = noValue(v, n)),
  non_fatal: (c, v, n) => {
    for (const kind of needValue(v, n).split(',')) {
      if (kind !== 'packet' && kind !== 'syscall') throw new ConfigError(`bad --non_fatal: ${kind} (expected packet or syscall)`);
      c.nonFatal.add(kind);
    }
  },
  init_scripts: (c, v, n) => void (c.initScripts = needValue(v, n).split(',')),
  define: (c, v, n) => {
    const val = needValue(v, n);
    const eq = val.indexOf('=');
    if (eq <= 0) throw new ConfigError(`bad --define: ${val} (expected NAME=VALUE)`);
    c.defines.set(val.slice(0, eq), val.slice(eq + 1));
  },
  verbose: (c, v, n) => void (c.verbose = noValue(v, n)),
  debug: (_c, v, n) => void noValue(v, n),
  dry_run: (c, v, n) => void (c.dryRun = noValue(v, n)),
  send_omit_free: (c, v, n) => void (c.sendOmitFree = noValue(v, n)),
  code_command: (c, v, n) => void (c.codeCommand = needValue(v, n)),
  code_format: (_c, v, n) => void needValue(v, n),
  code_sockopt: (_c, v, n) => void needValue(v, n),
  is_anyip: (_c, v, n) => void noValue(v, n),
  allow_initial_netns: (c, v, n) => void (c.allowInitialNetns = noValue(v, n)),
  allow_deep_idle: (c, v, n) => void (c.allowDeepIdle = noValue(v, n)),
};

export const KNOWN_FLAGS: readonly string[] = Object.keys(FLAGS);

export function defaultConfig(): RunConfig {
  return {
    ipVersion: 'ipv4',
    localIp: '',
    remoteIp: '',
    remotePrefix: -1,
    gatewayIp: '',
    netmaskIp: '255.255.0.0',
    bindPort: 8080,
    connectPort: 8080,
    mtu: 1500,
    toleranceUsecs: 4000,
    tolerancePercent: 12.5,
    tcpTsTickUsecs: 0,
    tcpTsEcrScaled: false,
    strictSegments: false,
    nonFatal: new Set(),
    initScripts: [],
    defines: new Map(),
    verbose: false,
    dryRun: false,
    sendOmitFree: false,
    codeCommand: 'python3',
    allowInitialNetns: false,
    allowDeepIdle: false,
    given: new Map(),
  };
}

/** Applies one `--name[=value]`; throws ConfigError naming the flag when it is unknown or bad. */
export function applyFlag(c: RunConfig, name: string, value: string | undefined): void {
  const set = FLAGS[name];
  if (!set) throw new ConfigError(`unknown option --${name}${suggestFlag(name)}`);
  set(c, value, name);
  c.given.set(name, value ?? '');
}

function suggestFlag(name: string): string {
  const close = KNOWN_FLAGS.find((f) => f.replace(/_/g, '') === name.replace(/[-_]/g, '') || f.startsWith(name));
  return close ? ` (did you mean --${close}?)` : '';
}

/** Fills address defaults per IP version (packetdrill's, with a fixed local address so runs are repeatable). */
export function finalizeConfig(c: RunConfig): RunConfig {
  const v6 = c.ipVersion === 'ipv6';
  if (!c.localIp) c.localIp = v6 ? 'fd3d:fa7b:d17d::2' : '192.168.0.2';
  if (!c.remoteIp) c.remoteIp = v6 ? '2001:db8::1' : '192.0.2.1';
  if (c.remotePrefix < 0) c.remotePrefix = v6 ? 32 : 24;
  if (!c.gatewayIp) c.gatewayIp = v6 ? 'fd3d:fa7b:d17d:8888::0' : '192.168.0.1';
  // packetdrill's runner gives ipv6 runs a 1520-byte MTU so the MSS (1460) matches IPv4's.
  if (v6 && !c.given.has('mtu')) c.mtu = 1520;
  return c;
}

export function localPrefix(c: RunConfig): number {
  return c.ipVersion === 'ipv6' ? 48 : prefixOfNetmask(c.netmaskIp);
}

/** The OPT_* environment the MPTCP fork exports to shell commands, plus every define. */
export function commandEnvironment(c: RunConfig, device: string): Record<string, string> {
  const env: Record<string, string> = {
    OPT_IP_VERSION: c.ipVersion,
    OPT_BIND_PORT: String(c.bindPort),
    OPT_CONNECT_PORT: String(c.connectPort),
    OPT_REMOTE_IP: c.remoteIp,
    OPT_LOCAL_IP: c.localIp,
    OPT_GATEWAY_IP: c.gatewayIp,
    OPT_NETMASK_IP: c.netmaskIp,
    OPT_MTU: String(c.mtu),
    OPT_MSS: String(c.mss ?? 0),
    OPT_SPEED: String(c.speed ?? 0),
    OPT_TOLERANCE_USECS: String(c.toleranceUsecs),
    OPT_TCP_TS_TICK_USECS: String(c.tcpTsTickUsecs),
    OPT_VERBOSE: c.verbose ? '1' : '0',
    OPT_LOCAL_DEV: device,
    PACKETDRILL_PID: String(process.pid),
  };
  for (const [k, v] of c.defines) env[k] = v;
  return env;
}

/** A flag as given: `--name=value` / `--name value` / `-D NAME=VALUE` (as define). */
export interface Flag {
  name: string;
  value?: string;
}

/**
 * packetdrill's precedence: defaults, then the script's header options, then the command
 * line (which overrides the header).
 */
export function buildConfig(header: readonly Flag[], commandLine: readonly Flag[]): RunConfig {
  const c = defaultConfig();
  for (const f of header) applyFlag(c, f.name, f.value);
  for (const f of commandLine) applyFlag(c, f.name, f.value);
  return finalizeConfig(c);
}
