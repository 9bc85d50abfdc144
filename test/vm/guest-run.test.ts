import { describe, expect, it } from 'vitest';
import { guestMounts } from '../../src/vm/guest-run.js';

describe('guest mounts', () => {
  it('mounts parents first, so a share inside another stays visible', () => {
    // Regression: run from /tmp, the read-only /tmp share was mounted over the I/O folder in it.
    const m = guestMounts('/tmp/tsdrill-vm-x', ['/tmp'], ['/tmp/out']);
    expect(m.map((x) => [x.tag, x.guestPath, x.readonly])).toEqual([
      ['in0', '/tmp', true],
      ['out0', '/tmp/out', false],
      ['io', '/tmp/tsdrill-vm-x', false],
    ]);
  });
});
