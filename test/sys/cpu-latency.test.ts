import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CPU_DMA_LATENCY, holdCpuWakeLatency } from '../../src/sys/cpu-latency.js';

const openFdsOn = (path: string): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

describe('holdCpuWakeLatency', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('writes a 0 µs request as one 32-bit word and keeps the file open until released', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsdrill-qos-'));
    const device = join(dir, 'cpu_dma_latency');
    writeFileSync(device, 'xxxxxxxx');
    const hold = holdCpuWakeLatency(device);
    expect(hold.problem).toBeUndefined();
    expect([...readFileSync(device).subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(openFdsOn(device)).toBe(1);
    hold.release();
    hold.release(); // twice is harmless
    expect(openFdsOn(device)).toBe(0);
  });

  it('says what failed, with the path, when the device cannot be opened (the run goes on)', () => {
    const hold = holdCpuWakeLatency('/nonexistent/cpu_dma_latency');
    expect(hold.problem).toBe('open(/nonexistent/cpu_dma_latency): ENOENT');
    expect(() => hold.release()).not.toThrow();
  });

  // The kernel reports the aggregate request when the device is read: 0 while we hold it.
  it.skipIf(process.getuid?.() !== 0 || !readdirSync('/dev').includes('cpu_dma_latency'))('makes the kernel report a 0 µs CPU latency limit while held', () => {
    const hold = holdCpuWakeLatency();
    expect(hold.problem).toBeUndefined();
    expect(readFileSync(CPU_DMA_LATENCY).readInt32LE(0)).toBe(0);
    expect(openFdsOn(CPU_DMA_LATENCY)).toBe(1);
    hold.release();
    expect(openFdsOn(CPU_DMA_LATENCY)).toBe(0);
  });
});
