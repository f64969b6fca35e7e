import { readFile } from 'node:fs/promises';
import os from 'node:os';
import pidusage from 'pidusage';
import type { Registry } from 'prom-client';
import type { BackendProcessTarget } from '../config/system.js';
import { abortable } from './abortable.js';
import { BACKEND_PROCESS_METRICS } from './backend-process-metrics.js';
import { USER_HZ } from './host-cpu-memory.js';
import {
  matchingRoots,
  type ProcessEntry,
  parseBootTime,
  processTree,
  readProcessTable,
} from './process-table.js';
import type { Collector } from './scheduler.js';
import { snapshotCounter, snapshotGauge } from './snapshot-metric.js';

export class PidFileError extends Error {
  constructor(path: string, detail: string) {
    super(`BACKEND_PID_FILE ${path}: ${detail}`);
    this.name = 'PidFileError';
  }
}

/** The pid in a pid file; undefined while the file does not exist (the backend has not started yet). */
export async function readPidFile(path: string, signal: AbortSignal): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new PidFileError(path, `does not hold a process id (${JSON.stringify(trimmed.slice(0, 20))})`);
  }
  return Number(trimmed);
}

interface BackendSnapshot {
  readonly found: boolean;
  readonly count: number;
  readonly memoryBytes: number | undefined;
  readonly cpuUtilization: number | undefined;
  readonly startTimeSeconds: number | undefined;
}

const NOT_FOUND: BackendSnapshot = Object.freeze({
  found: false,
  count: 0,
  memoryBytes: undefined,
  cpuUtilization: undefined,
  startTimeSeconds: undefined,
});

function registerBackendFamilies(registry: Registry, read: () => BackendSnapshot, cpuSeconds: () => number) {
  const one = (value: number | undefined) => (value === undefined ? [] : [[{}, value] as const]);
  snapshotGauge(registry, BACKEND_PROCESS_METRICS.found, () => [[{}, read().found ? 1 : 0]]);
  snapshotGauge(registry, BACKEND_PROCESS_METRICS.count, () => [[{}, read().count]]);
  snapshotGauge(registry, BACKEND_PROCESS_METRICS.cpuUtilization, () => one(read().cpuUtilization));
  snapshotCounter(registry, BACKEND_PROCESS_METRICS.cpuTime, () => [[{}, cpuSeconds()]]);
  snapshotGauge(registry, BACKEND_PROCESS_METRICS.memory, () => one(read().memoryBytes));
  snapshotGauge(registry, BACKEND_PROCESS_METRICS.startTime, () => one(read().startTimeSeconds));
}

/** The pids the target names now; none while a pid file does not exist yet. */
async function rootsOf(
  target: BackendProcessTarget,
  table: readonly ProcessEntry[],
  selfPid: number,
  signal: AbortSignal,
): Promise<number[]> {
  if (target.kind === 'pid') return [target.pid];
  if (target.kind === 'match') return matchingRoots(table, target.pattern, selfPid);
  const pid = await readPidFile(target.path, signal);
  return pid === undefined ? [] : [pid];
}

interface Tally {
  /** CPU milliseconds per pid measured now. */
  readonly current: Map<number, number>;
  readonly memoryBytes: number;
  /** CPU milliseconds used since `previous`, by processes seen both times. */
  readonly cpuMs: number;
  readonly startTimeSeconds: number | undefined;
}

/** Sums one run's figures over the backend's processes. */
function tally(
  pids: readonly number[],
  stats: Record<string, pidusage.Status | undefined>,
  previous: ReadonlyMap<number, number>,
  tree: { roots: readonly number[]; table: readonly ProcessEntry[]; bootTime: number | undefined },
): Tally {
  const current = new Map<number, number>();
  let memoryBytes = 0;
  let cpuMs = 0;
  let startTimeSeconds: number | undefined;
  const startTicks = new Map(tree.table.map((p) => [p.pid, p.startTicks]));
  for (const pid of pids) {
    const s = stats[pid];
    if (!s) continue;
    current.set(pid, s.ctime);
    memoryBytes += s.memory;
    const before = previous.get(pid);
    if (before !== undefined) cpuMs += Math.max(0, s.ctime - before);
    const ticks = startTicks.get(pid);
    if (tree.roots.includes(pid) && tree.bootTime !== undefined && ticks !== undefined) {
      // Exact and stable across runs, unlike now - elapsed.
      const started = tree.bootTime + ticks / USER_HZ;
      startTimeSeconds = startTimeSeconds === undefined ? started : Math.min(startTimeSeconds, started);
    }
  }
  return { current, memoryBytes, cpuMs, startTimeSeconds };
}

export interface BackendProcessOptions {
  readonly intervalMs: number;
  /** Left out of command-line matches and of the process tree: the sidecar itself. */
  readonly selfPid?: number;
}

/**
 * CPU and resident memory of the backend's process and its descendants (the workers), from
 * /proc through pidusage. The process is looked up again every interval, so a restarted backend
 * with a new pid is followed (pid file and command-line match).
 */
export function createBackendProcessCollector(
  registry: Registry,
  target: BackendProcessTarget,
  options: BackendProcessOptions,
): Collector {
  const selfPid = options.selfPid ?? process.pid;
  const cpus = Math.max(1, os.availableParallelism());
  let snapshot = NOT_FOUND;
  /** CPU milliseconds per pid at the previous run: utilisation is the difference, per process. */
  let previous = new Map<number, number>();
  let previousAt: number | undefined;
  let cpuSecondsTotal = 0;

  registerBackendFamilies(
    registry,
    () => snapshot,
    () => cpuSecondsTotal,
  );

  const notFound = () => {
    snapshot = NOT_FOUND;
    previous = new Map();
    previousAt = undefined;
  };

  return {
    name: 'backend_process',
    async collect(signal) {
      const [table, procStat] = await Promise.all([
        readProcessTable(target.kind === 'match', signal),
        readFile('/proc/stat', { encoding: 'utf8', signal }),
      ]);
      const bootTime = parseBootTime(procStat);
      let roots: number[];
      try {
        roots = await rootsOf(target, table, selfPid, signal);
      } catch (error) {
        // A pid file that holds no pid: the backend is not known, whatever it was before.
        notFound();
        throw error;
      }
      const pids = processTree(table, roots, selfPid);
      if (pids.length === 0) return notFound();

      let stats: Record<string, pidusage.Status | undefined>;
      try {
        stats = await abortable(pidusage(pids, { maxage: options.intervalMs * 2 }), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        // The only process exited between listing and reading it.
        return notFound();
      }
      const now = Date.now();
      const { current, memoryBytes, cpuMs, startTimeSeconds } = tally(pids, stats, previous, {
        roots,
        table,
        bootTime,
      });
      if (current.size === 0) return notFound();
      cpuSecondsTotal += cpuMs / 1000;
      const cpuUtilization =
        previousAt !== undefined && now > previousAt ? cpuMs / (now - previousAt) / cpus : undefined;
      previous = current;
      previousAt = now;
      snapshot = { found: true, count: current.size, memoryBytes, cpuUtilization, startTimeSeconds };
    },
    stop() {
      pidusage.clear();
    },
  };
}
