import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { CounterDeclaration, GaugeDeclaration } from '../metrics/declaration.js';
import { CGROUP_METRICS } from './cgroup-metrics.js';
import { type MountInfo, parseMountinfo } from './mountinfo.js';
import type { Collector } from './scheduler.js';
import { snapshotCounter, snapshotGauge } from './snapshot-metric.js';

/** Where the sidecar's own cgroup lives under /sys/fs/cgroup, per controller. */
export type CgroupPaths =
  | { readonly version: 2; readonly dir: string }
  | {
      readonly version: 1;
      readonly memory: string | undefined;
      readonly cpu: string | undefined;
      readonly cpuacct: string | undefined;
    };

/** A cgroup path inside the mount of its hierarchy (proc(5), cgroups(7)). */
function dirOf(mount: MountInfo, path: string): string {
  const base = mount.mountPoint.replace(/\/$/, '');
  // Outside our cgroup namespace (`/../..`) or not below the mount's root: the mount is the best we can see.
  if (path.includes('/..')) return mount.mountPoint;
  if (mount.root === '/') return path === '/' ? mount.mountPoint : base + path;
  if (path === mount.root) return mount.mountPoint;
  if (path.startsWith(mount.root + '/')) return base + path.slice(mount.root.length);
  return mount.mountPoint;
}

/**
 * Resolves /proc/self/cgroup against the cgroup mounts. cgroup v1 is used when the memory
 * controller is mounted as v1 (also on "hybrid" hosts, whose v2 hierarchy then has no
 * controllers); otherwise the v2 unified hierarchy. Undefined when no cgroup is mounted.
 */
export function resolveCgroupPaths(
  procSelfCgroup: string,
  mounts: readonly MountInfo[],
): CgroupPaths | undefined {
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of procSelfCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === '0' && match[2] === '') unified = match[3]!;
    else for (const controller of match[2]!.split(',')) if (controller) v1.set(controller, match[3]!);
  }
  const v1Mount = (controller: string) =>
    mounts.find((m) => m.type === 'cgroup' && m.superOptions.includes(controller));
  const v1Dir = (controller: string) => {
    const mount = v1Mount(controller);
    const path = v1.get(controller);
    return mount && path !== undefined ? dirOf(mount, path) : undefined;
  };
  if (v1.has('memory') && v1Mount('memory')) {
    return { version: 1, memory: v1Dir('memory'), cpu: v1Dir('cpu'), cpuacct: v1Dir('cpuacct') };
  }
  const v2Mount = mounts.find((m) => m.type === 'cgroup2');
  if (unified !== undefined && v2Mount) return { version: 2, dir: dirOf(v2Mount, unified) };
  if (v1.size > 0) return { version: 1, memory: undefined, cpu: v1Dir('cpu'), cpuacct: v1Dir('cpuacct') };
  return undefined;
}

/** `key value` lines, as in memory.stat, cpu.stat, memory.events and memory.oom_control. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) values.set(key, Number(value));
  }
  return values;
}

/** cgroup v1 writes "no limit" as the largest page-aligned 64-bit value (9223372036854771712). */
const V1_UNLIMITED = 2 ** 62;

export interface CgroupSnapshot {
  readonly version: 1 | 2;
  readonly memoryUsage: number | undefined;
  readonly memoryInactiveFile: number | undefined;
  readonly memoryLimit: number | undefined;
  readonly oomKills: number | undefined;
  readonly cpuSeconds: number | undefined;
  /** CPUs the quota allows (quota / period); undefined without a quota. */
  readonly cpuLimit: number | undefined;
  readonly periods: number | undefined;
  readonly throttledPeriods: number | undefined;
  readonly throttledSeconds: number | undefined;
}

async function readText(path: string | undefined, signal: AbortSignal): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/** Reads the files of the resolved cgroup. Files that are missing (controller not enabled) leave their value undefined. */
export async function readCgroup(paths: CgroupPaths, signal: AbortSignal): Promise<CgroupSnapshot> {
  if (paths.version === 2) {
    const at = (file: string) => readText(`${paths.dir}/${file}`, signal);
    const [current, max, stat, events, cpuStat, cpuMax] = await Promise.all([
      at('memory.current'),
      at('memory.max'),
      at('memory.stat'),
      at('memory.events'),
      at('cpu.stat'),
      at('cpu.max'),
    ]);
    const memoryStat = parseFlatKeyed(stat ?? '');
    const cpu = parseFlatKeyed(cpuStat ?? '');
    const [quota, period] = (cpuMax ?? '').trim().split(/\s+/);
    const usec = (key: string) => (cpu.has(key) ? cpu.get(key)! / 1e6 : undefined);
    return {
      version: 2,
      memoryUsage: toNumber(current),
      memoryInactiveFile: memoryStat.get('inactive_file'),
      memoryLimit: max === undefined || max.trim() === 'max' ? undefined : toNumber(max),
      oomKills: parseFlatKeyed(events ?? '').get('oom_kill'),
      cpuSeconds: usec('usage_usec'),
      cpuLimit: quota && quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : undefined,
      periods: cpu.get('nr_periods'),
      throttledPeriods: cpu.get('nr_throttled'),
      throttledSeconds: usec('throttled_usec'),
    };
  }
  const [usage, limit, stat, oom, quota, period, cpuStat, cpuacct] = await Promise.all([
    readText(paths.memory && `${paths.memory}/memory.usage_in_bytes`, signal),
    readText(paths.memory && `${paths.memory}/memory.limit_in_bytes`, signal),
    readText(paths.memory && `${paths.memory}/memory.stat`, signal),
    readText(paths.memory && `${paths.memory}/memory.oom_control`, signal),
    readText(paths.cpu && `${paths.cpu}/cpu.cfs_quota_us`, signal),
    readText(paths.cpu && `${paths.cpu}/cpu.cfs_period_us`, signal),
    readText(paths.cpu && `${paths.cpu}/cpu.stat`, signal),
    readText(paths.cpuacct && `${paths.cpuacct}/cpuacct.usage`, signal),
  ]);
  const limitBytes = toNumber(limit);
  const quotaUs = toNumber(quota);
  const periodUs = toNumber(period);
  const cpu = parseFlatKeyed(cpuStat ?? '');
  const usageNs = toNumber(cpuacct);
  return {
    version: 1,
    memoryUsage: toNumber(usage),
    memoryInactiveFile: parseFlatKeyed(stat ?? '').get('total_inactive_file'),
    memoryLimit: limitBytes !== undefined && limitBytes < V1_UNLIMITED ? limitBytes : undefined,
    oomKills: parseFlatKeyed(oom ?? '').get('oom_kill'),
    cpuSeconds: usageNs === undefined ? undefined : usageNs / 1e9,
    cpuLimit: quotaUs !== undefined && quotaUs > 0 && periodUs ? quotaUs / periodUs : undefined,
    periods: cpu.get('nr_periods'),
    throttledPeriods: cpu.get('nr_throttled'),
    throttledSeconds: cpu.has('throttled_time') ? cpu.get('throttled_time')! / 1e9 : undefined,
  };
}

const one = (value: number | undefined) => (value === undefined ? [] : [[{}, value] as const]);

/**
 * The cgroup the sidecar runs in: in a container, the container's memory limit and CPU quota,
 * so "memory at 90%" can mean 90% of what the container may use rather than of the host.
 * Series whose file does not exist (no limit, controller not enabled) are simply absent.
 */
export function createCgroupCollector(registry: Registry): Collector {
  let snapshot: CgroupSnapshot | undefined;
  let cpuUsage: number | undefined;
  let previous: { seconds: number; at: number } | undefined;

  const gauge = (declaration: GaugeDeclaration, read: (s: CgroupSnapshot) => number | undefined) =>
    snapshotGauge(registry, declaration, () => one(snapshot && read(snapshot)));
  const counter = (declaration: CounterDeclaration, read: (s: CgroupSnapshot) => number | undefined) =>
    snapshotCounter(registry, declaration, () => one(snapshot && read(snapshot)));

  gauge(CGROUP_METRICS.memoryUsage, (s) => s.memoryUsage);
  gauge(CGROUP_METRICS.memoryWorkingSet, (s) =>
    s.memoryUsage === undefined ? undefined : Math.max(0, s.memoryUsage - (s.memoryInactiveFile ?? 0)),
  );
  gauge(CGROUP_METRICS.memoryLimit, (s) => s.memoryLimit);
  counter(CGROUP_METRICS.oomKills, (s) => s.oomKills);
  counter(CGROUP_METRICS.cpuTime, (s) => s.cpuSeconds);
  snapshotGauge(registry, CGROUP_METRICS.cpuUsage, () => one(cpuUsage));
  gauge(CGROUP_METRICS.cpuLimit, (s) => s.cpuLimit);
  counter(CGROUP_METRICS.cfsPeriods, (s) => s.periods);
  counter(CGROUP_METRICS.cfsThrottledPeriods, (s) => s.throttledPeriods);
  counter(CGROUP_METRICS.cfsThrottledTime, (s) => s.throttledSeconds);

  return {
    name: 'cgroup',
    async collect(signal) {
      const [cgroupText, mountText] = await Promise.all([
        readFile('/proc/self/cgroup', { encoding: 'utf8', signal }),
        readFile('/proc/self/mountinfo', { encoding: 'utf8', signal }),
      ]);
      const paths = resolveCgroupPaths(cgroupText, parseMountinfo(mountText));
      if (!paths) {
        snapshot = undefined;
        return;
      }
      const next = await readCgroup(paths, signal);
      const now = performance.now();
      cpuUsage =
        next.cpuSeconds !== undefined && previous && now > previous.at
          ? Math.max(0, next.cpuSeconds - previous.seconds) / ((now - previous.at) / 1000)
          : undefined;
      previous = next.cpuSeconds === undefined ? undefined : { seconds: next.cpuSeconds, at: now };
      snapshot = next;
    },
  };
}
