import { readdir, readFile } from 'node:fs/promises';

/** One process as /proc shows it. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat). */
  readonly startTicks: number;
  /** The command line, arguments joined by spaces; empty for kernel threads. Read only when asked for. */
  readonly command: string | undefined;
}

/**
 * The parent pid and start time from /proc/<pid>/stat. The command name in parentheses may itself
 * hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseStat(stat: string): { ppid: number; startTicks: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  return Number.isInteger(ppid) && Number.isFinite(startTicks) ? { ppid, startTicks } : undefined;
}

/** Boot time (Unix seconds) from the `btime` line of /proc/stat. */
export function parseBootTime(procStat: string): number | undefined {
  const match = /^btime (\d+)$/m.exec(procStat);
  return match ? Number(match[1]) : undefined;
}

/** /proc/<pid>/cmdline separates arguments with NUL bytes. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, '').replaceAll('\0', ' ');
}

/**
 * Every process visible in the sidecar's PID namespace. Processes that exit while the table is
 * read are left out. Visibility of other containers' processes needs a shared PID namespace
 * (compose `pid: service:backend`, Kubernetes `shareProcessNamespace: true`).
 */
export async function readProcessTable(withCommands: boolean, signal: AbortSignal): Promise<ProcessEntry[]> {
  const names = await readdir('/proc');
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name): Promise<ProcessEntry | undefined> => {
        try {
          const [stat, cmdline] = await Promise.all([
            readFile(`/proc/${name}/stat`, { encoding: 'utf8', signal }),
            withCommands ? readFile(`/proc/${name}/cmdline`, { encoding: 'utf8', signal }) : undefined,
          ]);
          const parsed = parseStat(stat);
          if (parsed === undefined) return undefined;
          return {
            pid: Number(name),
            ...parsed,
            command: cmdline === undefined ? undefined : parseCmdline(cmdline),
          };
        } catch (error) {
          if (signal.aborted) throw error;
          return undefined;
        }
      }),
  );
  return entries.filter((e): e is ProcessEntry => e !== undefined);
}

/** Processes whose command line matches, leaving out `excludePid` and any match whose parent also matches. */
export function matchingRoots(table: readonly ProcessEntry[], pattern: RegExp, excludePid: number): number[] {
  const matched = new Set(
    table.filter((p) => p.pid !== excludePid && p.command && pattern.test(p.command)).map((p) => p.pid),
  );
  return table.filter((p) => matched.has(p.pid) && !matched.has(p.ppid)).map((p) => p.pid);
}

/**
 * The given processes and all their descendants, so a backend's worker processes (gunicorn,
 * uvicorn --workers, Node cluster) count as the backend. Roots that do not exist are dropped, and
 * `excludePid` (the sidecar, when a shell started both) is never part of the tree.
 */
export function processTree(
  table: readonly ProcessEntry[],
  roots: readonly number[],
  excludePid = -1,
): number[] {
  const children = new Map<number, number[]>();
  const exists = new Set<number>();
  for (const p of table) {
    exists.add(p.pid);
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const seen = new Set<number>();
  const queue = roots.filter((pid) => exists.has(pid));
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid) || pid === excludePid) continue;
    seen.add(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return [...seen];
}
