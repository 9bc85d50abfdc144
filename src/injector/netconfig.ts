import { writeFileSync } from 'node:fs';
import { formatIp, parseIp } from '../codec/address.js';
import { runChecked } from '../sys/shell.js';

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

/**
 * Brings up loopback and the TUN device with packetdrill's addresses and routes, in one
 * `ip -batch` (one process instead of seven). The IPv6 knobs come first so the kernel sends no
 * router solicitations or DAD probes on the TUN (they would show up as unexpected packets).
 */
export function configureNetwork(c: NetworkConfig): void {
  setSysctl(`net/ipv6/conf/${c.device}/accept_dad`, '0');
  setSysctl(`net/ipv6/conf/${c.device}/router_solicitations`, '0');
  const route = `${networkOf(c.remoteIp, c.remotePrefix)}/${c.remotePrefix}`;
  const commands = [
    'link set lo up',
    `link set ${c.device} addrgenmode none`,
    `link set ${c.device} mtu ${c.mtu}`,
    `link set ${c.device} up`,
    ...(c.family === 4
      ? [`addr add ${c.localIp}/${c.localPrefix} dev ${c.device}`, `route add ${route} dev ${c.device} via ${c.gatewayIp}`]
      : [`addr add ${c.localIp}/${c.localPrefix} dev ${c.device} nodad`, `route add ${route} dev ${c.device} via ${c.gatewayIp}`]),
  ];
  runChecked('ip', ['-batch', '-'], commands.join('\n') + '\n');
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
