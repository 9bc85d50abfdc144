import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CPU_DMA_LATENCY, openCpuLatencyRequest } from '../../src/sys/cpu-latency.js';

const openFdsOn = (path: string): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

/** The 32-bit words written to a stand-in device file, in order. */
const wordsOf = (file: string): number[] => {
  const b = readFileSync(file);
  return Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(i * 4));
};

describe('openCpuLatencyRequest', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('writes 0 µs on engage and "no constraint" (-1) on relax, once per change, and closes on release', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsdrill-qos-'));
    const device = join(dir, 'cpu_dma_latency');
    writeFileSync(device, '');
    const request = openCpuLatencyRequest(device);
    expect(request.problem).toBeUndefined();
    expect(wordsOf(device)).toEqual([]); // opening constrains nothing
    request.relax(); // not engaged: nothing to undo
    request.engage();
    request.engage();
    request.relax();
    request.engage();
    expect(wordsOf(device)).toEqual([0, -1, 0]);
    expect(openFdsOn(device)).toBe(1);
    request.release();
    request.release(); // twice is harmless
    request.engage(); // and nothing is written after release
    expect(openFdsOn(device)).toBe(0);
    expect(wordsOf(device)).toEqual([0, -1, 0]);
  });

  it('says what failed, with the path, when the device cannot be opened (the run goes on)', () => {
    const request = openCpuLatencyRequest('/nonexistent/cpu_dma_latency');
    expect(request.problem).toBe('open(/nonexistent/cpu_dma_latency): ENOENT');
    expect(() => {
      request.engage();
      request.relax();
      request.release();
    }).not.toThrow();
  });

  // The kernel reports the aggregate request when the device is read.
  it.skipIf(process.getuid?.() !== 0 || !existsSync(CPU_DMA_LATENCY))('makes the kernel report a 0 µs CPU latency limit while engaged, and the previous one after', () => {
    const aggregate = () => readFileSync(CPU_DMA_LATENCY).readInt32LE(0);
    const before = aggregate();
    const request = openCpuLatencyRequest();
    expect(request.problem).toBeUndefined();
    request.engage();
    expect(aggregate()).toBe(0);
    request.relax();
    expect(aggregate()).toBe(before);
    request.engage();
    request.release(); // closing withdraws an engaged request too
    expect(aggregate()).toBe(before);
    expect(openFdsOn(CPU_DMA_LATENCY)).toBe(0);
  });
});
