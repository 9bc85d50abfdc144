import { PacketCapture } from './capture.js';
import { PacketInjector } from './injector.js';
import { configureNetwork, type NetworkConfig } from './netconfig.js';
import { assertPrivateNetns } from './netns-guard.js';
import { closeTun, openTun, startTunDrain, type TunDevice } from './tun.js';

/** The kernel-facing side of one run: TUN device, addresses and routes, injection and capture. */
export interface Environment {
  tun: TunDevice;
  capture: PacketCapture;
  /**
   * Resolves when the threads (tun drain, injection) have loaded koffi. Await it before using
   * koffi or inject(): a thread loading koffi while another calls into it crashed the process
   * (napi_throw), so the threads also load one after the other.
   */
  ready: Promise<void>;
  /** Writes a packet to tun0 at CLOCK_MONOTONIC `atNs` from the injection thread; returns when it was written. */
  inject(bytes: Uint8Array, atNs: bigint): Promise<bigint>;
  close(): Promise<void>;
}

/**
 * Creates the TUN device and its configuration in the current network namespace, after
 * making sure that namespace is not the host's. Everything opened here is closed by close();
 * the namespace itself (made by the runner) takes the device with it when the run ends.
 */
export function setupEnvironment(net: Omit<NetworkConfig, 'device'>, allowInitialNetns: boolean): Environment {
  assertPrivateNetns(allowInitialNetns);
  const tun = openTun('tun0');
  let capture: PacketCapture | undefined;
  try {
    configureNetwork({ ...net, device: tun.name });
    capture = new PacketCapture(tun.name);
  } catch (e) {
    closeTun(tun);
    throw e;
  }
  const drain = startTunDrain(tun);
  let injector: PacketInjector | undefined;
  const ready = drain.ready.then(() => {
    injector = new PacketInjector(tun);
    return injector.loaded;
  });
  return {
    tun,
    capture,
    ready,
    async inject(bytes, atNs) {
      if (!injector) throw new Error('inject() before the environment is ready');
      return injector.inject(bytes, atNs);
    },
    async close() {
      await Promise.all([drain.stop(), injector?.close()]);
      capture?.close();
      closeTun(tun);
    },
  };
}
