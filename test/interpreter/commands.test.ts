import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/interpreter/commands.js';
import { buildConfig } from '../../src/interpreter/config.js';
import { ScriptError } from '../../src/interpreter/errors.js';
import type { CommandAction } from '../../src/parser/ast.js';

const at = { start: { offset: 0, line: 4, column: 1 }, end: { offset: 10, line: 4, column: 11 } };
const command = (text: string): CommandAction => ({ kind: 'command', command: text, loc: at });
const ctx = { file: '/tmp/script.pkt', config: buildConfig([], []), tunName: 'tun0' };

async function failure(text: string, role: 'init' | 'cleanup' | 'event' = 'event'): Promise<ScriptError> {
  const e = await runCommand(ctx, command(text), role).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ScriptError);
  return e as ScriptError;
}

describe('runCommand', () => {
  it('succeeds quietly on exit status 0, from the script directory with the OPT_ variables', async () => {
    await expect(runCommand(ctx, command('test "$PWD" = /tmp && test -n "$OPT_IP_VERSION"'), 'event')).resolves.toBeUndefined();
  });

  it('fails at the command with its status and output, in our words and packetdrill\'s', async () => {
    const e = await failure('echo about to fail; exit 3', 'init');
    expect(e.kind).toBe('command');
    expect(e.loc).toEqual(at);
    expect(e.message).toBe('init command `echo about to fail; exit 3` failed: non-zero status 3');
    expect(e.notes).toEqual(['output: about to fail']);
    expect(e.legacy).toBe('error executing `echo about to fail; exit 3` command: non-zero status 3');
  });

  it('a command killed by a signal names the signal, not "non-zero status null"', async () => {
    const e = await failure('kill -KILL $$');
    expect(e.message).toBe('command `kill -KILL $$` failed: killed by SIGKILL');
    expect(e.legacy).toBe('error executing `kill -KILL $$` command: killed by SIGKILL');
    expect(e.legacy).not.toMatch(/null/);
  });
});
