// Names for flag words in diagnostics: `POLLIN|POLLOUT`, `MSG_ERRQUEUE|MSG_TRUNC (0x2020)`.
import { lookupSymbol } from '../../syscalls/symbols.js';

const GROUPS = {
  MSG: ['MSG_OOB', 'MSG_PEEK', 'MSG_DONTROUTE', 'MSG_CTRUNC', 'MSG_PROXY', 'MSG_TRUNC', 'MSG_DONTWAIT', 'MSG_EOR', 'MSG_WAITALL', 'MSG_FIN', 'MSG_SYN', 'MSG_CONFIRM', 'MSG_RST', 'MSG_ERRQUEUE', 'MSG_NOSIGNAL', 'MSG_MORE', 'MSG_WAITFORONE', 'MSG_BATCH', 'MSG_ZEROCOPY', 'MSG_FASTOPEN', 'MSG_CMSG_CLOEXEC'],
  POLL: ['POLLIN', 'POLLPRI', 'POLLOUT', 'POLLERR', 'POLLHUP', 'POLLNVAL', 'POLLRDNORM', 'POLLRDBAND', 'POLLWRNORM', 'POLLWRBAND', 'POLLMSG', 'POLLREMOVE', 'POLLRDHUP'],
  EPOLL: ['EPOLLIN', 'EPOLLPRI', 'EPOLLOUT', 'EPOLLERR', 'EPOLLHUP', 'EPOLLNVAL', 'EPOLLRDNORM', 'EPOLLRDBAND', 'EPOLLWRNORM', 'EPOLLWRBAND', 'EPOLLMSG', 'EPOLLRDHUP', 'EPOLLEXCLUSIVE', 'EPOLLWAKEUP', 'EPOLLONESHOT', 'EPOLLET'],
} as const;

export type FlagGroup = keyof typeof GROUPS;

const BITS: Record<FlagGroup, [string, number][]> = Object.fromEntries(
  Object.entries(GROUPS).map(([g, names]) => [
    g,
    names.flatMap((n) => {
      const v = lookupSymbol(n);
      return v === undefined ? [] : [[n, Number(v) >>> 0] as [string, number]];
    }),
  ]),
) as Record<FlagGroup, [string, number][]>;

/** `POLLIN|POLLOUT`; unnamed bits in hex; `0` for none. */
export function flagNames(value: number, group: FlagGroup): string {
  let rest = value >>> 0;
  const parts: string[] = [];
  for (const [name, bit] of BITS[group]) {
    if (bit !== 0 && (rest & bit) >>> 0 === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}

/** `MSG_ERRQUEUE|MSG_TRUNC (0x2020)`, or `0x0`. */
export function flagNamesHex(value: number, group: FlagGroup): string {
  const hex = `0x${(value >>> 0).toString(16)}`;
  return value === 0 ? hex : `${flagNames(value, group)} (${hex})`;
}
