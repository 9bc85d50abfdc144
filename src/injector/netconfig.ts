import { writeFileSync } from 'node:fs';
import { execaSync } from 'execa';
import { formatIp, parseIp } from '../codec/address.js';

export interface NetworkConfig {
  device: string;
  ipVersion: 'ipv4' | 'ipv4-mapped-ipv6' | 'ipv6';
  /** Address family of the wire packets. */
  family: 4 | 6;
  localIp: string;
  /** Prefix length of the local address (from --netmask_ip for IPv4, /48 for IPv6 as packetdrill). */
  localPrefix: number;
  remoteIp: string;
  remotePrefix: number;
  gatewayIp: string;
  mtu: number;
}

/** Runs one command, failing with the command line, exit code and stderr (execa's message). */
function run(file: string, args: string[]): void {
  const r = execaSync(file, args, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0)
    throw new Error(`${[file, ...args].join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout || String(r.cause ?? '')).trim()}`);
}

/**
 * Brings up loopback and the TUN device with packetdrill's addresses and routes. The IPv6 knobs
 * come first so the kernel sends no router solicitations or DAD probes on the TUN (they would
 * show up as unexpected outbound packets).
 */
export function configureNetwork(c: NetworkConfig): void {
  run('ip', ['link', 'set', 'lo', 'up']);
  run('ip', ['link', 'set', c.device, 'addrgenmode', 'none']);
  setSysctl(`net/ipv6/conf/${c.device}/accept_dad`, '0');
  setSysctl(`net/ipv6/conf/${c.device}/router_solicitations`, '0');
  run('ip', ['link', 'set', c.device, 'mtu', String(c.mtu)]);
  run('ip', ['link', 'set', c.device, 'up']);
  if (c.family === 4) {
    run('ip', ['addr', 'add', `${c.localIp}/${c.localPrefix}`, 'dev', c.device]);
    run('ip', ['route', 'add', `${networkOf(c.remoteIp, c.remotePrefix)}/${c.remotePrefix}`, 'dev', c.device, 'via', c.gatewayIp]);
  } else {
    run('ip', ['-6', 'addr', 'add', `${c.localIp}/${c.localPrefix}`, 'dev', c.device, 'nodad']);
    run('ip', ['-6', 'route', 'add', `${networkOf(c.remoteIp, c.remotePrefix)}/${c.remotePrefix}`, 'dev', c.device, 'via', c.gatewayIp]);
  }
}

/** Writes a sysctl of this network namespace (no dependency on the sysctl binary). */
function setSysctl(key: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/${key}`, value);
  } catch (e) {
    throw new Error(`sysctl ${key.replace(/\//g, '.')}=${value} failed: ${(e as Error).message}`);
  }
}

/** The network address of ip/prefix (`ip route` rejects host bits in a route prefix). */
export function networkOf(ip: string, prefix: number): string {
  const bytes = parseIp(ip);
  for (let bit = prefix; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return formatIp(bytes);
}

/** Prefix length of a dotted netmask (255.255.0.0 -> 16). */
export function prefixOfNetmask(mask: string): number {
  return mask.split('.').reduce((a, b) => a + (Number(b).toString(2).match(/1/g)?.length ?? 0), 0);
}
