// Keeps idle CPUs from sleeping deeply while a script runs, as cyclictest does: a PM QoS
// request of 0 µs on /dev/cpu_dma_latency makes the cpuidle governor poll instead of halting.
// Measured on the 2-vCPU VM this project runs on (notes on issue 10): a real-time thread woke
// from clock_nanosleep ~95 µs late (median) and >1 ms late at p99 with CPUs allowed to halt,
// and 43 µs / 82 µs with the request held. The kernel drops the request when the fd closes,
// so a crashed run leaves nothing behind.
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export const CPU_DMA_LATENCY = '/dev/cpu_dma_latency';

export interface CpuLatencyHold {
  /** Why the request could not be made (not root, no device): the run goes on without it. */
  readonly problem?: string;
  release(): void;
}

export function holdCpuWakeLatency(device = CPU_DMA_LATENCY): CpuLatencyHold {
  let fd: number;
  try {
    fd = openSync(device, constants.O_WRONLY);
  } catch (e) {
    return { problem: `open(${device}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, release: () => undefined };
  }
  const zero = Buffer.alloc(4);
  try {
    writeSync(fd, zero);
  } catch (e) {
    closeSync(fd);
    return { problem: `write(${device}, 0): ${(e as NodeJS.ErrnoException).code ?? String(e)}`, release: () => undefined };
  }
  let held = true;
  return {
    release() {
      if (held) closeSync(fd);
      held = false;
    },
  };
}
