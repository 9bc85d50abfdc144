import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../src/interpreter/config.js';

describe('buildConfig: tsdrill-only flags', () => {
  it('holds the CPU wake latency by default; --allow_deep_idle lets idle CPUs sleep', () => {
    expect(buildConfig([], []).allowDeepIdle).toBe(false);
    expect(buildConfig([], [{ name: 'allow_deep_idle', value: undefined }]).allowDeepIdle).toBe(true);
    // A script header may ask for it too (flags apply header first, then command line).
    expect(buildConfig([{ name: 'allow_deep_idle', value: undefined }], []).allowDeepIdle).toBe(true);
  });

  it('rejects a value for --allow_deep_idle, naming the flag', () => {
    expect(() => buildConfig([], [{ name: 'allow_deep_idle', value: 'yes' }])).toThrow(new ConfigError('option --allow_deep_idle forbids an argument (got "yes")'));
  });

  it('refuses the initial namespace unless --allow_initial_netns is given', () => {
    expect(buildConfig([], []).allowInitialNetns).toBe(false);
    expect(buildConfig([], [{ name: 'allow_initial_netns', value: undefined }]).allowInitialNetns).toBe(true);
  });
});
