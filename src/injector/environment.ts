import { PacketCapture } from './capture.js';
import { configureNetwork, type NetworkConfig } from './netconfig.js';
import { assertPrivateNetns } from './netns-guard.js';
import { closeTun, openTun, startTunDrain, type TunDevice } from './tun.js';

/** The kernel-facing side of one run: TUN device, addresses and routes, packet capture. */
export interface Environment {
  tun: TunDevice;
  capture: PacketCapture;
  /**
   * Resolves when the drain thread has loaded koffi. Await it before using koffi elsewhere: a
   * worker loading koffi while another thread calls into it crashed the process (napi_throw).
   */
  ready: Promise<void>;
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
  return {
    tun,
    capture,
    ready: drain.ready,
    async close() {
      await drain.stop();
      capture?.close();
      closeTun(tun);
    },
  };
}
