import { readlinkSync, statSync } from 'node:fs';

/** The inode number the kernel gives the initial network namespace (PROC_NET_INIT_INO). */
const INIT_NET_INODE = 0xeffffff9;

export type NetnsVerdict = { initial: boolean; how: string };

/**
 * Tells whether this process runs in the host's initial network namespace. Compares
 * /proc/self/ns/net with /proc/1/ns/net; where PID 1's link cannot be read (containers,
 * sandboxes), falls back to the fixed inode of init_net.
 */
export function inspectNetns(): NetnsVerdict {
  const self = statSync('/proc/self/ns/net').ino;
  try {
    const init = statSync('/proc/1/ns/net').ino;
    return { initial: self === init, how: `/proc/self/ns/net is ${readlinkSync('/proc/self/ns/net')}, PID 1's is net:[${init}]` };
  } catch {
    return { initial: self === INIT_NET_INODE, how: `/proc/self/ns/net is net:[${self}]; init_net is net:[${INIT_NET_INODE}]` };
  }
}

export class InitialNetnsError extends Error {
  override name = 'InitialNetnsError';
}

/**
 * Refuses to touch interfaces and routes in the host's namespace: the default remote address
 * 192.0.2.1 can be a real gateway there, so a run would reroute the host.
 */
export function assertPrivateNetns(allowInitial: boolean): void {
  const v = inspectNetns();
  if (v.initial && !allowInitial)
    throw new InitialNetnsError(
      `refusing to run in the initial network namespace (${v.how}): tsdrill would add tun0, addresses and routes to the host. ` +
        'Run it through `tsdrill run` (a private netns per run), under `unshare -n` or `ip netns exec`, or pass --allow_initial_netns if you really mean it.',
    );
}
