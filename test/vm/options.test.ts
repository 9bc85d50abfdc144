import { describe, expect, it } from 'vitest';
import { guestEnv, hiddenInputFolders, outputFolders, splitVmArgs, VM_DEFAULTS, wantsVm } from '../../src/vm/options.js';

describe('VM options', () => {
  it('takes the VM options out and leaves the guest its command line unchanged', () => {
    const { vm, rest } = splitVmArgs(['run', '--kernel', 'k.deb', '-j', '2', '--vm-verbose', '--vm-cpus=4', '--json', 'r.json', 'scripts/', '--vm-log', 'k.log']);
    expect(rest).toEqual(['run', '-j', '2', '--json', 'r.json', 'scripts/']);
    expect(vm).toEqual({ ...VM_DEFAULTS, kernel: 'k.deb', verbose: true, cpus: 4, logFile: 'k.log' });
  });
  it('refuses bad values with the option named', () => {
    expect(() => splitVmArgs(['run', '--kernel'])).toThrow(/--kernel requires a value/);
    expect(() => splitVmArgs(['run', '--kernel', 'k', '--vm-accel', 'hvf'])).toThrow(/bad --vm-accel: hvf/);
    expect(() => splitVmArgs(['run', '--kernel', 'k', '--vm-memory', '0'])).toThrow(/bad --vm-memory: 0/);
    expect(() => splitVmArgs(['run', '--kernel=a', '--kernel=b'])).toThrow(/given twice/);
  });
  it('knows a VM run by --kernel', () => {
    expect(wantsVm(['run', '--kernel=x', 'a.pkt'])).toBe(true);
    expect(wantsVm(['run', 'a.pkt'])).toBe(false);
  });
  it('shares each output folder once, nested ones inside their parent', () => {
    expect(outputFolders(['/w/out', '/w/out/pcaps', '/w/out/', '/x'])).toEqual(['/w/out', '/x']);
    expect(outputFolders(['/w/outer', '/w/out'])).toEqual(['/w/out', '/w/outer']);
  });
  it("shares again, read-only, the folders the guest's tmpfs on /tmp and /run would hide", () => {
    // Regression: run from a folder under /tmp, the guest saw an empty /tmp and no scripts.
    expect(hiddenInputFolders(['/tmp/w', '/tmp/w/scripts', '/work/x', '/run/s', '/tmpfoo'], [])).toEqual(['/run/s', '/tmp/w']);
    expect(hiddenInputFolders(['/tmp/w/out/in', '/tmp/w'], ['/tmp/w/out'])).toEqual(['/tmp/w']);
    expect(hiddenInputFolders(['/tmp/w/out'], ['/tmp/w/out'])).toEqual([]);
  });
  it('gives the guest PATH, CI and tsdrill settings, not the session', () => {
    const env = guestEnv({ PATH: '/bin', CI: 'true', TSDRILL_CACHE_DIR: '/c', SSH_AUTH_SOCK: '/s', HOME: '/home/u' });
    expect(env).toEqual({ PATH: '/bin', CI: 'true', TSDRILL_CACHE_DIR: '/c', HOME: '/root', TMPDIR: '/tmp', TERM: 'dumb' });
  });
});
