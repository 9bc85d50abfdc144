import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IP_VERSIONS, type IpVersion } from '../src/interpreter/config.js';

/** Every *.pkt under the given paths (files as given, directories searched), sorted, unique. */
export function discoverScripts(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || name.endsWith('.pkt')) walk(child);
      }
    } else out.add(p);
  };
  for (const p of paths) walk(p);
  return [...out].sort();
}

/**
 * The IP variants a script runs in, by packetdrill's conventions: a name ending in v6.pkt
 * runs only as ipv6, one ending in v4.pkt skips ipv6, and an `--ip_version` in the script's
 * header (or on the command line) pins it.
 */
export function variantsFor(script: string, headerIpVersion: string | undefined, requested: readonly IpVersion[] | undefined): IpVersion[] {
  let v: IpVersion[] = [...IP_VERSIONS];
  if (script.endsWith('v6.pkt')) v = ['ipv6'];
  else if (script.endsWith('v4.pkt')) v = ['ipv4', 'ipv4-mapped-ipv6'];
  if (headerIpVersion && IP_VERSIONS.includes(headerIpVersion as IpVersion)) v = v.filter((x) => x === headerIpVersion);
  if (requested) v = v.filter((x) => requested.includes(x));
  return v;
}
