import { readFile, statfs } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import { abortable } from './abortable.js';
import { FILESYSTEM_METRICS } from './filesystem-metrics.js';
import { type MountInfo, parseMountinfo } from './mountinfo.js';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotGauge } from './snapshot-metric.js';

/**
 * Filesystems that hold no user data, live in memory, or are read-only images: their "usage"
 * says nothing about a disk filling up. Close to node_exporter's default exclusion list.
 */
export const PSEUDO_FILESYSTEM_TYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'erofs',
  'fuse.lxcfs',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'nfsd',
  'overlay',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/**
 * The mounts worth reporting: real filesystems only, one mount per device. A container sees its
 * overlay root (kept: its free space is the host disk its writable layer lives on) plus bind
 * mounts of host files such as /etc/hosts, which repeat a device already seen; of those the
 * mount with the shortest mount point is kept.
 */
export function selectFilesystems(mounts: readonly MountInfo[]): MountInfo[] {
  const byDevice = new Map<string, MountInfo>();
  for (const mount of mounts) {
    const isContainerRoot = mount.type === 'overlay' && mount.mountPoint === '/';
    if (PSEUDO_FILESYSTEM_TYPES.has(mount.type) && !isContainerRoot) continue;
    const seen = byDevice.get(mount.device);
    if (
      !seen ||
      mount.mountPoint.length < seen.mountPoint.length ||
      (mount.mountPoint.length === seen.mountPoint.length && mount.root.length < seen.root.length)
    ) {
      byDevice.set(mount.device, mount);
    }
  }
  return [...byDevice.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}

interface FilesystemUsage {
  readonly mount: MountInfo;
  readonly used: number;
  readonly free: number;
  readonly reserved: number;
}

/**
 * Space per filesystem, from /proc/self/mountinfo and statfs(2): the numbers `df` shows.
 * A statfs that hangs (an unreachable NFS server) holds a libuv thread until it returns, so that
 * mount is skipped until its call comes back instead of being asked again every interval.
 */
export function createFilesystemCollector(registry: Registry): Collector {
  let snapshot: FilesystemUsage[] = [];
  const pending = new Set<string>();

  const labelsOf = (m: MountInfo) => ({
    system_device: m.source,
    system_filesystem_mountpoint: m.mountPoint,
    system_filesystem_type: m.type,
    system_filesystem_mode: m.mode,
  });

  snapshotGauge(registry, FILESYSTEM_METRICS.usage, () =>
    snapshot.flatMap(({ mount, used, free, reserved }): Sample[] => [
      [{ ...labelsOf(mount), system_filesystem_state: 'used' }, used],
      [{ ...labelsOf(mount), system_filesystem_state: 'free' }, free],
      [{ ...labelsOf(mount), system_filesystem_state: 'reserved' }, reserved],
    ]),
  );
  snapshotGauge(registry, FILESYSTEM_METRICS.utilization, () =>
    snapshot
      .filter(({ used, free }) => used + free > 0)
      .map(({ mount, used, free }): Sample => [labelsOf(mount), used / (used + free)]),
  );
  snapshotGauge(registry, FILESYSTEM_METRICS.limit, () =>
    snapshot.map(({ mount, used, free, reserved }): Sample => [labelsOf(mount), used + free + reserved]),
  );

  return {
    name: 'filesystem',
    async collect(signal) {
      const mounts = selectFilesystems(
        parseMountinfo(await readFile('/proc/self/mountinfo', { encoding: 'utf8', signal })),
      );
      const failures: string[] = [];
      // A mount that fails this time keeps its last figures, like every other collector's series.
      const last = new Map(snapshot.map((usage) => [usage.mount.mountPoint, usage]));
      const failed = (mount: MountInfo, reason: string) => {
        failures.push(`${mount.mountPoint}: ${reason}`);
        const previous = last.get(mount.mountPoint);
        return previous && { ...previous, mount };
      };
      const results = await Promise.all(
        mounts.map(async (mount): Promise<FilesystemUsage | undefined> => {
          if (pending.has(mount.mountPoint))
            return failed(mount, 'statfs from an earlier interval has not returned');
          pending.add(mount.mountPoint);
          const call = statfs(mount.mountPoint).finally(() => pending.delete(mount.mountPoint));
          try {
            const s = await abortable(call, signal);
            return {
              mount,
              used: (s.blocks - s.bfree) * s.bsize,
              free: s.bavail * s.bsize,
              reserved: (s.bfree - s.bavail) * s.bsize,
            };
          } catch (error) {
            if (signal.aborted) return failed(mount, 'statfs did not return in time');
            // Mounts the sidecar may not enter (EACCES) or that vanished meanwhile are not failures.
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT') return undefined;
            return failed(mount, (error as Error).message);
          }
        }),
      );
      snapshot = results.filter((r): r is FilesystemUsage => r !== undefined);
      if (failures.length > 0) throw new Error(`statfs failed for ${failures.join('; ')}`);
    },
  };
}
