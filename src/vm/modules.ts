// Which kernel modules the guest must load before it can mount the host's root, and in what
// order: read from modules.dep (as depmod writes it) and the kernel's .config. Pure.

/** What the boot needs: the 9p root over virtio (PCI), and TUN for the runs. */
export const BOOT_FEATURES: readonly { config: string; module: string; why: string }[] = [
  { config: 'CONFIG_VIRTIO_PCI', module: 'virtio_pci', why: 'the virtio devices QEMU gives the guest' },
  { config: 'CONFIG_NET_9P', module: '9pnet', why: 'the host root over 9p' },
  { config: 'CONFIG_NET_9P_VIRTIO', module: '9pnet_virtio', why: 'the host root over 9p' },
  { config: 'CONFIG_9P_FS', module: '9p', why: 'the host root over 9p' },
  { config: 'CONFIG_TUN', module: 'tun', why: "tsdrill's tun0" },
];

/** A module's name as the kernel knows it: basename without .ko[.xz|.zst|.gz], '-' as '_'. */
export function moduleName(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** modules.dep: `path: dep dep ...` per line, paths relative to the modules folder. */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const byName = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    if (!path) continue;
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    byName.set(moduleName(path), { path, deps });
  }
  return byName;
}

/** A kernel .config: `CONFIG_X=y|m|"..."`; `# CONFIG_X is not set` and absent are both unset. */
export function parseKernelConfig(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (hit) m.set(hit[1]!, hit[2]!);
  }
  return m;
}

export class MissingFeatureError extends Error {
  override name = 'MissingFeatureError';
}

/**
 * The module files to load, dependencies first, each once. A feature built in (`=y`) needs no
 * file; one that is `=m` must be in modules.dep; one unset makes the boot impossible, said here
 * rather than by a guest that cannot mount its root. Without a config (a bare bzImage), a module
 * found in modules.dep is loaded and one not found is taken as built in.
 */
export function bootModules(dep: Map<string, { path: string; deps: string[] }> | undefined, config: Map<string, string> | undefined): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const byPath = new Map([...(dep ?? new Map<string, { path: string; deps: string[] }>()).values()].map((e) => [e.path, e]));
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    // modules.dep lists every transitive dependency, deepest last: load them in reverse.
    for (const d of [...(byPath.get(path)?.deps ?? [])].reverse()) visit(d);
    order.push(path);
  };
  for (const f of BOOT_FEATURES) {
    const setting = config?.get(f.config);
    if (config && setting === undefined)
      throw new MissingFeatureError(`the kernel lacks ${f.config} (${f.module}), needed for ${f.why}: enable it (=y or =m)`);
    if (setting === 'y') continue;
    const entry = dep?.get(f.module);
    if (entry) visit(entry.path);
    else if (setting === 'm') throw new MissingFeatureError(`${f.config}=m but module ${f.module} is not among the kernel's modules (modules.dep)`);
  }
  return order;
}
