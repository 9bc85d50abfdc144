// MPTCP codec: option wire format, descriptions/diffs, and key-derived values.
export * from './options.js';
export * from './describe.js';
export * from './crypto.js';
export { formatIpAddress, parseIpAddress, parseIpv4, parseIpv6 } from '../ip-text.js';
