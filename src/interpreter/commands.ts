// Backtick shell commands of a script (init, events, cleanup), run as packetdrill runs them:
// /bin/sh -c from the script's directory, with its OPT_* variables in the environment.
import { dirname } from 'node:path';
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
  const r = await runShell(cmd.command, { cwd: dirname(ctx.file), env: commandEnvironment(ctx.config, ctx.tunName) });
  if (r.exitCode !== 0) {
    const output = r.output.trim();
    // A kernel without a sysctl the command writes: say which, and how to skip such kernels.
    const absent = absentSysctlFiles(output);
    const lacks = absent.length ? `: this kernel lacks ${absent.join(', ')}` : '';
    const help = absent.map((p) => `help: a script that needs it can say \`// require: sysctl ${sysctlName(p)}\` to be skipped on kernels without it`);
    throw new ScriptError(
      'command',
      `${when === 'event' ? '' : `${when} `}command \`${cmd.command.trim()}\` failed: ${r.signal ? `killed by ${r.signal}` : `non-zero status ${r.exitCode}`}${lacks}`,
      cmd.loc,
      [...(output ? output.split('\n').map((l) => `output: ${l}`) : []), ...help],
      `error executing \`${cmd.command.trim()}\` command: non-zero status ${r.exitCode}`,
    );
  }
}
