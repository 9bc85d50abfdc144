// Keeps idle CPUs from sleeping deeply just before a timed event, as cyclictest does for its
// whole run: a PM QoS request of 0 µs on /dev/cpu_dma_latency makes the cpuidle governor poll
// instead of halting, and the kernel wakes idle CPUs to apply it at once.
// Measured on the 2-vCPU VM this project runs on (notes on issue 10): a real-time thread woke
// from clock_nanosleep ~95 µs late (median) and >1 ms late at p99 with CPUs allowed to halt,
// and 43 µs / 82 µs with the request at 0. Held for a whole run, though, the request also
// changed the kernel's own timing: its delayed ACK of a FIN came 0-7.4 ms after the FIN instead
// of 0-3.6 ms (30 runs each, HZ=250), and timing-sensitive corpus rows then failed more often
// (11 of 52 runs instead of 3). So the clock engages it only in the last milliseconds before an
// event and relaxes it once the event has happened (6 of 52). Why the kernel's timers move is
// not understood (tick kept running on polling CPUs is a guess).
// The kernel drops the request when the fd closes, so a crashed run leaves nothing behind.
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export const CPU_DMA_LATENCY = '/dev/cpu_dma_latency';

/** PM_QOS_DEFAULT_VALUE: this request no longer constrains anything. */
const NO_CONSTRAINT = -1;

export interface CpuLatencyRequest {
  /** Why the request could not be made (not root, no device): the run goes on without it. */
  readonly problem?: string;
  /** Idle CPUs poll from now on. */
  engage(): void;
  /** Idle CPUs may sleep deeply again. */
  relax(): void;
  /** Withdraws the request (closes the device). */
  release(): void;
}

const NONE = { engage: () => undefined, relax: () => undefined, release: () => undefined };

export function openCpuLatencyRequest(device = CPU_DMA_LATENCY): CpuLatencyRequest {
  let fd: number;
  try {
    // Opening adds a request that constrains nothing until a value is written.
    fd = openSync(device, constants.O_WRONLY);
  } catch (e) {
    return { problem: `open(${device}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, ...NONE };
  }
  const word = Buffer.alloc(4);
  let open = true;
  let engaged = false;
  const set = (usecs: number) => {
    word.writeInt32LE(usecs);
    writeSync(fd, word);
  };
  return {
    engage() {
      if (open && !engaged) set(0);
      engaged = true;
    },
    relax() {
      if (open && engaged) set(NO_CONSTRAINT);
      engaged = false;
    },
    release() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
