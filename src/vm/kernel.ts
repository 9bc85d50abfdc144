// `--kernel K`: what K names (an image file, a built kernel tree, a Debian package name or .deb)
// and where its image, release, config and modules are. Packages are fetched with
// `apt-get download` and unpacked with `dpkg-deb -x` into a cache folder, once.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { BZIMAGE_HEAD_BYTES, bzImageRelease, isBzImage } from './bzimage.js';

export class KernelSpecError extends Error {
  override name = 'KernelSpecError';
}

export interface KernelUnderTest {
  /** The bzImage/vmlinuz QEMU boots. */
  image: string;
  /** Its `uname -r`. */
  release: string;
  /** Its /lib/modules/<release> folder with modules.dep, when it has modules. */
  modulesDir?: string;
  /** Its .config, when known. */
  configFile?: string;
  /** What K was, for messages: "Debian package linux-image-...", "kernel tree /src/linux". */
  origin: string;
}

/** What a `--kernel` argument names, decided from the file system alone. */
export type KernelSpec =
  | { kind: 'image'; path: string }
  | { kind: 'tree'; path: string }
  | { kind: 'deb'; path: string }
  | { kind: 'package'; name: string };

export interface PathProbe {
  kind(path: string): 'file' | 'dir' | undefined;
  head(path: string): Uint8Array;
}

export const fsProbe: PathProbe = {
  kind(path) {
    try {
      const s = statSync(path);
      return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
  head(path) {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(BZIMAGE_HEAD_BYTES);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  },
};

const TREE_IMAGE = 'arch/x86/boot/bzImage';
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export function classifyKernelArg(arg: string, probe: PathProbe = fsProbe): KernelSpec {
  const kind = probe.kind(arg);
  if (kind === 'dir') {
    if (probe.kind(join(arg, TREE_IMAGE)) === 'file') return { kind: 'tree', path: resolve(arg) };
    if (probe.kind(join(arg, 'arch/x86')) === 'dir' || probe.kind(join(arg, 'Kbuild')) === 'file')
      throw new KernelSpecError(`${arg} is a kernel tree without ${TREE_IMAGE}: build it first (make bzImage modules)`);
    throw new KernelSpecError(`${arg} is a folder but not a built kernel tree (no ${TREE_IMAGE})`);
  }
  if (kind === 'file') {
    if (arg.endsWith('.deb')) return { kind: 'deb', path: resolve(arg) };
    if (!isBzImage(probe.head(arg))) throw new KernelSpecError(`${arg} is not a bzImage/vmlinuz (no "HdrS" boot header at 0x202)`);
    return { kind: 'image', path: resolve(arg) };
  }
  if (arg.includes('/') || arg.endsWith('.deb')) throw new KernelSpecError(`${arg}: no such file or folder`);
  if (!PACKAGE_NAME.test(arg)) throw new KernelSpecError(`${arg} is neither a file, a folder nor a Debian package name`);
  return { kind: 'package', name: arg };
}

/** Where fetched and unpacked kernels are kept: $TSDRILL_CACHE_DIR, else ~/.cache/tsdrill. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSDRILL_CACHE_DIR) return resolve(env.TSDRILL_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsdrill');
}

export interface ResolveOptions {
  cacheDir: string;
  /** Progress lines ("fetching ...") for stderr. */
  say?: (line: string) => void;
}

export async function resolveKernel(arg: string, opts: ResolveOptions): Promise<KernelUnderTest> {
  const spec = classifyKernelArg(arg);
  switch (spec.kind) {
    case 'image':
      return fromImage(spec.path);
    case 'tree':
      return fromTree(spec.path, opts);
    case 'deb':
      return fromUnpacked(await unpackDeb(spec.path, opts), `Debian package ${basename(spec.path)}`);
    case 'package': {
      const deb = await fetchPackage(spec.name, opts);
      return fromUnpacked(await unpackDeb(deb, opts), `Debian package ${spec.name}`);
    }
  }
}

function releaseOf(image: string): string {
  const release = bzImageRelease(fsProbe.head(image));
  if (!release) throw new KernelSpecError(`${image} has no kernel version string in its boot header`);
  return release;
}

const modulesWithDep = (dir: string) => (existsSync(join(dir, 'modules.dep')) ? dir : undefined);

/** A bare image: its config and modules where Debian's layout puts them (beside it, or the host's). */
function fromImage(image: string): KernelUnderTest {
  const release = releaseOf(image);
  const dir = dirname(image);
  const configFile = [join(dir, `config-${release}`), `/boot/config-${release}`].find((f) => existsSync(f));
  const modulesDir = [join(dir, '..', 'lib/modules', release), join(dir, '..', 'usr/lib/modules', release), `/lib/modules/${release}`]
    .map((d) => resolve(d))
    .find((d) => modulesWithDep(d));
  return { image, release, ...(modulesDir ? { modulesDir } : {}), ...(configFile ? { configFile } : {}), origin: `image ${image}` };
}

/** A package unpacked into `root`: boot/vmlinuz-R and lib/modules/R (or usr/lib/modules/R). */
function fromUnpacked(root: string, origin: string): KernelUnderTest {
  const images = readdirSync(join(root, 'boot')).filter((f) => /^vmlinuz-/.test(f));
  if (images.length !== 1) throw new KernelSpecError(`${origin}: expected one boot/vmlinuz-* in the package, found ${images.length}`);
  const k = fromImage(join(root, 'boot', images[0]!));
  return { ...k, origin };
}

async function fromTree(tree: string, opts: ResolveOptions): Promise<KernelUnderTest> {
  const image = join(tree, TREE_IMAGE);
  const releaseFile = join(tree, 'include/config/kernel.release');
  const release = existsSync(releaseFile) ? readFileSync(releaseFile, 'utf8').trim() : releaseOf(image);
  const configFile = join(tree, '.config');
  const k: KernelUnderTest = { image, release, origin: `kernel tree ${tree}`, ...(existsSync(configFile) ? { configFile } : {}) };
  const order = join(tree, 'modules.order');
  if (!existsSync(order) || readFileSync(order, 'utf8').trim() === '') return k;
  // Modules built in the tree: install them (stripped) into the cache, keyed by tree and build.
  const key = createHash('sha256').update(`${tree}\0${release}\0${statSync(image).mtimeMs}`).digest('hex').slice(0, 16);
  const base = join(opts.cacheDir, 'trees', `${release}-${key}`);
  const modulesDir = join(base, 'lib/modules', release);
  if (!existsSync(join(base, '.tsdrill-ready'))) {
    rmSync(base, { recursive: true, force: true });
    opts.say?.(`installing the modules of ${tree} into ${base}`);
    await checked('make', ['-s', '-C', tree, 'modules_install', `INSTALL_MOD_PATH=${base}`, 'INSTALL_MOD_STRIP=1', 'DEPMOD=true']);
    await depmod(base, release);
    writeFileSync(join(base, '.tsdrill-ready'), '');
  }
  return { ...k, modulesDir };
}

/** `apt-get download NAME` into the cache (skipped when the same file is already there). */
async function fetchPackage(name: string, opts: ResolveOptions): Promise<string> {
  const dir = join(opts.cacheDir, 'debs');
  mkdirSync(dir, { recursive: true });
  const uris = await checked('apt-get', ['download', '--print-uris', name], { cwd: dir });
  const file = /^'[^']+'\s+(\S+\.deb)\s/m.exec(uris)?.[1];
  if (file && existsSync(join(dir, file))) return join(dir, file);
  opts.say?.(`fetching ${name} (apt-get download)`);
  await checked('apt-get', ['download', '-q', name], { cwd: dir });
  const found = file ? [file] : readdirSync(dir).filter((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  if (found.length === 0 || !existsSync(join(dir, found[0]!))) throw new KernelSpecError(`apt-get download ${name} left no ${name}_*.deb in ${dir}`);
  return join(dir, found[0]!);
}

/** Unpacks a .deb into the cache once (dpkg-deb -x, then depmod); returns the unpacked root. */
async function unpackDeb(deb: string, opts: ResolveOptions): Promise<string> {
  const s = statSync(deb);
  const root = join(opts.cacheDir, 'kernels', `${basename(deb, '.deb')}-${Math.round(s.mtimeMs).toString(36)}${s.size.toString(36)}`);
  if (existsSync(join(root, '.tsdrill-ready'))) return root;
  const tmp = `${root}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    opts.say?.(`unpacking ${basename(deb)} into ${root}`);
    await checked('dpkg-deb', ['-x', deb, tmp]);
    const modules = ['lib/modules', 'usr/lib/modules'].map((d) => join(tmp, d)).find((d) => existsSync(d));
    // busybox depmod -b BASE wants BASE/lib/modules/R: BASE is the root, or usr/ for usr/lib/modules.
    for (const release of modules ? readdirSync(modules) : []) await depmod(dirname(dirname(modules!)), release);
    writeFileSync(join(tmp, '.tsdrill-ready'), '');
    rmSync(root, { recursive: true, force: true });
    renameSync(tmp, root);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return root;
}

/** modules.dep and modules.alias for the guest's modprobe (busybox's depmod: kmod may be absent). */
async function depmod(base: string, release: string): Promise<void> {
  await checked('busybox', ['depmod', '-b', base, release]);
}

async function checked(file: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  const r = await execa(file, args, { ...opts, reject: false, all: true });
  if (r.failed)
    throw new KernelSpecError(`\`${[file, ...args].join(' ')}\` failed (${r.exitCode ?? r.signal ?? r.code}): ${(r.all ?? r.message).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}
