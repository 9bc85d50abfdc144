/** What the tun-drain thread answers once it has the device and drains it. */
export const DRAINING = 'tsdrill:draining';
/** ... and once it has stopped (it then waits for the next run's device). */
export const DRAIN_STOPPED = 'tsdrill:drain-stopped';
