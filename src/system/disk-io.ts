import { readdir, readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { CounterDeclaration } from '../metrics/declaration.js';
import { DISK_METRICS } from './disk-io-metrics.js';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter } from './snapshot-metric.js';

/** /proc/diskstats counts sectors of 512 bytes whatever the device's own sector size. */
const SECTOR_BYTES = 512;

export interface DiskStats {
  readonly device: string;
  readonly readsCompleted: number;
  readonly readsMerged: number;
  readonly sectorsRead: number;
  readonly readTimeMs: number;
  readonly writesCompleted: number;
  readonly writesMerged: number;
  readonly sectorsWritten: number;
  readonly writeTimeMs: number;
  readonly ioTimeMs: number;
}

/** Parses /proc/diskstats (Documentation/admin-guide/iostats.rst): major minor name, then counters. */
export function parseDiskstats(text: string): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = (i: number) => Number(f[i]);
    disks.push({
      device: f[2]!,
      readsCompleted: n(3),
      readsMerged: n(4),
      sectorsRead: n(5),
      readTimeMs: n(6),
      writesCompleted: n(7),
      writesMerged: n(8),
      sectorsWritten: n(9),
      writeTimeMs: n(10),
      ioTimeMs: n(12),
    });
  }
  return disks;
}

/** RAM disks, loop devices (snap and image mounts), floppies and optical drives: never the data disk. */
const VIRTUAL_DISK = /^(?:loop|ram|zram|fd|sr)\d+$/;
/** Partitions, for when /sys/block cannot be listed: sda1, vda2, xvda1, nvme0n1p1, mmcblk0p1. */
const PARTITION = /^(?:(?:[hsv]|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+)$/;

/**
 * Whole disks only: a partition's traffic is also counted on its disk, so reporting both would
 * double every sum. /sys/block lists exactly the whole disks (and device-mapper and md devices).
 */
export function selectDisks(
  disks: readonly DiskStats[],
  wholeDisks: ReadonlySet<string> | undefined,
): DiskStats[] {
  return disks.filter(
    (d) =>
      !VIRTUAL_DISK.test(d.device) && (wholeDisks ? wholeDisks.has(d.device) : !PARTITION.test(d.device)),
  );
}

/** Disk traffic per whole disk, from /proc/diskstats. */
export function createDiskIoCollector(registry: Registry): Collector {
  let snapshot: DiskStats[] = [];

  const directional = (
    declaration: CounterDeclaration,
    read: (d: DiskStats) => [number, number],
    scale = 1,
  ) =>
    snapshotCounter(registry, declaration, () =>
      snapshot.flatMap((d): Sample[] => {
        const [r, w] = read(d);
        return [
          [{ system_device: d.device, disk_io_direction: 'read' }, r * scale],
          [{ system_device: d.device, disk_io_direction: 'write' }, w * scale],
        ];
      }),
    );

  directional(DISK_METRICS.io, (d) => [d.sectorsRead, d.sectorsWritten], SECTOR_BYTES);
  directional(DISK_METRICS.operations, (d) => [d.readsCompleted, d.writesCompleted]);
  directional(DISK_METRICS.operationTime, (d) => [d.readTimeMs, d.writeTimeMs], 1 / 1000);
  directional(DISK_METRICS.merged, (d) => [d.readsMerged, d.writesMerged]);
  snapshotCounter(registry, DISK_METRICS.ioTime, () =>
    snapshot.map((d): Sample => [{ system_device: d.device }, d.ioTimeMs / 1000]),
  );

  return {
    name: 'disk',
    async collect(signal) {
      const [text, wholeDisks] = await Promise.all([
        readFile('/proc/diskstats', { encoding: 'utf8', signal }),
        readdir('/sys/block').then(
          (names) => new Set(names),
          () => undefined,
        ),
      ]);
      snapshot = selectDisks(parseDiskstats(text), wholeDisks);
    },
  };
}
