// Backtick shell commands of a script (init, events, cleanup), run as packetdrill runs them:
// /bin/sh -c from the script's directory, with its OPT_* variables in the environment.
import { dirname } from 'node:path';
import { commandFailed, lowerLayerFailure } from '../assertions/messages.js';
import type { CommandAction } from '../parser/ast.js';
import { absentSysctlFiles, sysctlName } from '../kernel/absent-sysctl.js';
import { runShell } from '../sys/shell.js';
import { commandEnvironment, type RunConfig } from './config.js';
import { ScriptError } from './errors.js';

/** Where in the script a command stands: its failure names the init and cleanup commands. */
export type CommandRole = 'init' | 'cleanup' | 'event';

export interface CommandContext {
  /** The script's path: commands run from its directory. */
  file: string;
  config: RunConfig;
  tunName: string;
}

/** Runs a command; a non-zero exit or a signal fails the script at the command. */
export async function runCommand(ctx: CommandContext, cmd: CommandAction, when: CommandRole): Promise<void> {
  const r = await runShell(cmd.command, { cwd: dirname(ctx.file), env: commandEnvironment(ctx.config, ctx.tunName) }).catch((e: unknown) => {
    throw ScriptError.from('setup', cmd.loc, lowerLayerFailure({ what: 'starting /bin/sh', error: e }), { cause: e });
  });
  if (r.exitCode === 0) return;
  // A kernel without a sysctl the command writes: say which, and how to skip such kernels.
  const absentSysctls = absentSysctlFiles(r.output).map((path) => ({ path, name: sysctlName(path) }));
  throw ScriptError.from('command', cmd.loc, commandFailed({ command: cmd.command, role: when, exitCode: r.exitCode, signal: r.signal, output: r.output, absentSysctls }));
}
