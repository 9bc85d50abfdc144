import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parsePacketdrillArgs } from '../../runner/packetdrill-cli.js';
import { assertBuilt, hasTun, ROOT } from '../helpers/kernel.js';

/** Exactly what upstream's in-netns helper does around one packetdrill invocation. */
async function inNetnsLikeRunAll(args: string[]) {
  assertBuilt();
  const ns = `tsdrill-t-${randomBytes(4).toString('hex')}`;
  await execa('ip', ['netns', 'add', ns]);
  try {
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return await execa('ip', ['netns', 'exec', ns, process.execPath, join(ROOT, 'bin/tsdrill.js'), ...args], { reject: false, timeout: 60_000 });
  } finally {
    await execa('ip', ['netns', 'del', ns]);
  }
}

describe('packetdrill command line (parsing)', () => {
  it('accepts --flag=value, --flag value, -D NAME=VALUE, -DNAME=VALUE and -v', () => {
    expect(parsePacketdrillArgs(['--ip_version', 'ipv6', '--tolerance_usecs=10000', '-D', 'A=1', '-DB=2', '-v', '--send_omit_free', 'x.pkt'])).toEqual({
      flags: [
        { name: 'ip_version', value: 'ipv6' },
        { name: 'tolerance_usecs', value: '10000' },
        { name: 'define', value: 'A=1' },
        { name: 'define', value: 'B=2' },
        { name: 'verbose' },
        { name: 'send_omit_free', value: undefined },
      ],
      scripts: ['x.pkt'],
    });
  });

  it('takes tsdrill\'s own switches without a value (the next word stays a script)', () => {
    expect(parsePacketdrillArgs(['--allow_deep_idle', 'x.pkt', '--allow_initial_netns', 'y.pkt'])).toEqual({
      flags: [
        { name: 'allow_deep_idle', value: undefined },
        { name: 'allow_initial_netns', value: undefined },
      ],
      scripts: ['x.pkt', 'y.pkt'],
    });
  });

  it.each([
    [['--bogus=1', 'x.pkt'], /option 'bogus' unknown/],
    [['--tolerance_usecs'], /option 'tolerance_usecs' requires an argument/],
    [['--ip_version=ipv4'], /usage: tsdrill \[packetdrill flags\] script\.pkt/],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePacketdrillArgs(argv)).toThrow(message);
  });
});

describe('packetdrill command line --dry_run (no kernel needed)', () => {
  it('parses and configures without running: exit 0, nothing printed', async () => {
    assertBuilt();
    const r = await execa(process.execPath, [join(ROOT, 'bin/tsdrill.js'), '--dry_run', '--ip_version=ipv6', join(ROOT, 'scripts/tcp/connect-refused.pkt')], { reject: false });
    expect({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('still rejects a bad flag value with exit 2', async () => {
    assertBuilt();
    const r = await execa(process.execPath, [join(ROOT, 'bin/tsdrill.js'), '--dry_run', '--tolerance_usecs=abc', join(ROOT, 'scripts/tcp/connect-refused.pkt')], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('connect-refused.pkt: bad --tolerance_usecs: abc (expected an integer from 1 to 2147483648)');
  });
});

describe.skipIf(!hasTun)('packetdrill command line in a run_all.py-style netns (kernel)', () => {
  const scripts = readdirSync(join(ROOT, 'scripts/tcp')).filter((f) => f.endsWith('.pkt'));

  it.each(scripts.flatMap((s) => (['ipv4', 'ipv6'] as const).map((v) => [s, v])))('%s passes as %s with exit 0', async (script, variant) => {
    const r = await inNetnsLikeRunAll([`--ip_version=${variant}`, '--send_omit_free', join(ROOT, 'scripts/tcp', script)]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('fails a bad script with exit 1 and the reference one-line error first on stderr', async () => {
    const r = await inNetnsLikeRunAll(['--ip_version=ipv4', join(ROOT, 'test/fixtures/kernel/wrong-ack.pkt')]);
    expect(r.exitCode).toBe(1);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toBe('wrong-ack.pkt:9: error handling packet: live packet field tcp_ack_seq: expected: 2 vs actual: 1');
    expect(rest.join('\n')).toContain('error: expected ack 2, got ack 1');
  });

  it('builds an inbound packet at script time 0 before its time (it was written ~1.2 ms late)', async () => {
    const r = await inNetnsLikeRunAll(['--ip_version=ipv4', '-v', join(ROOT, 'test/fixtures/timing/inbound-at-zero.pkt')]);
    expect(r.exitCode).toBe(0);
    const log = `${r.stdout}\n${r.stderr}`;
    expect(log).toMatch(/inbound injected packet: 0\.0/);
    expect(log).not.toContain('after its time');
  });
});
