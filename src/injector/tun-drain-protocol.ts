/** What the tun-drain thread answers once it has the device and drains it. */
export const DRAINING = 'tsdrill:draining';
