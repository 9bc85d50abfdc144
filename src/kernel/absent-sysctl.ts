// Why a shell command failed, when it is because this kernel lacks a sysctl: the /proc/sys paths
// its output names that do not exist (dash says "cannot create /proc/sys/...: Directory
// nonexistent", cat "No such file or directory").
import { existsSync } from 'node:fs';

/** The /proc/sys files named in `output` that do not exist (checked in the caller's netns). */
export function absentSysctlFiles(output: string): string[] {
  const paths = output.match(/\/proc\/sys\/[A-Za-z0-9_.:@+/-]*[A-Za-z0-9_]/g) ?? [];
  return [...new Set(paths)].filter((p) => !existsSync(p));
}

/** `/proc/sys/net/mptcp/x` -> `net.mptcp.x`. */
export function sysctlName(path: string): string {
  return path.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
}
