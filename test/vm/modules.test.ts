import { describe, expect, it } from 'vitest';
import { bootModules, MissingFeatureError, moduleName, parseKernelConfig, parseModulesDep } from '../../src/vm/modules.js';

// As busybox depmod writes it for Debian's 6.12 (excerpt).
const DEP_612 = `kernel/net/9p/9pnet.ko.xz: kernel/fs/netfs/netfs.ko.xz
kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
kernel/fs/netfs/netfs.ko.xz:
kernel/drivers/net/tun.ko.xz:
`;
const CONFIG_612 = 'CONFIG_VIRTIO_PCI=y\nCONFIG_NET_9P=m\nCONFIG_NET_9P_VIRTIO=m\nCONFIG_9P_FS=m\nCONFIG_TUN=m\n# CONFIG_FOO is not set\n';

describe('kernel modules for the boot', () => {
  it('names modules as the kernel does', () => {
    expect(moduleName('kernel/net/9p/9pnet_virtio.ko.xz')).toBe('9pnet_virtio');
    expect(moduleName('a/b/virtio-pci.ko')).toBe('virtio_pci');
    expect(moduleName('x.ko.zst')).toBe('x');
  });

  it('loads the 9p stack with its dependencies first, each once, and skips what is built in', () => {
    const order = bootModules(parseModulesDep(DEP_612), parseKernelConfig(CONFIG_612));
    expect(order).toEqual([
      'kernel/fs/netfs/netfs.ko.xz',
      'kernel/net/9p/9pnet.ko.xz',
      'kernel/net/9p/9pnet_virtio.ko.xz',
      'kernel/fs/9p/9p.ko.xz',
      'kernel/drivers/net/tun.ko.xz',
    ]);
  });

  it('needs no module for a kernel with everything built in', () => {
    const config = parseKernelConfig('CONFIG_VIRTIO_PCI=y\nCONFIG_NET_9P=y\nCONFIG_NET_9P_VIRTIO=y\nCONFIG_9P_FS=y\nCONFIG_TUN=y\n');
    expect(bootModules(undefined, config)).toEqual([]);
  });

  it('refuses a kernel without 9p, naming the option', () => {
    const config = parseKernelConfig(CONFIG_612.replace('CONFIG_9P_FS=m\n', '# CONFIG_9P_FS is not set\n'));
    expect(() => bootModules(parseModulesDep(DEP_612), config)).toThrow(MissingFeatureError);
    expect(() => bootModules(parseModulesDep(DEP_612), config)).toThrow(/lacks CONFIG_9P_FS \(9p\)/);
  });

  it('refuses =m when the module is not among the modules', () => {
    const dep = parseModulesDep(DEP_612.replace(/^kernel\/drivers\/net\/tun.*\n/m, ''));
    expect(() => bootModules(dep, parseKernelConfig(CONFIG_612))).toThrow(/CONFIG_TUN=m but module tun/);
  });

  it('without a config, loads what modules.dep has and takes the rest as built in', () => {
    expect(bootModules(parseModulesDep('kernel/drivers/net/tun.ko:\n'), undefined)).toEqual(['kernel/drivers/net/tun.ko']);
  });
});
