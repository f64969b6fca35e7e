import { readdir, readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter } from './snapshot-metric.js';

export const SYSTEM_DISK_IO_METRIC = 'system_disk_io_bytes_total';
export const SYSTEM_DISK_OPERATIONS_METRIC = 'system_disk_operations_total';
export const SYSTEM_DISK_IO_TIME_METRIC = 'system_disk_io_time_seconds_total';
export const SYSTEM_DISK_OPERATION_TIME_METRIC = 'system_disk_operation_time_seconds_total';
export const SYSTEM_DISK_MERGED_METRIC = 'system_disk_merged_total';

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

  const directional = (name: string, help: string, read: (d: DiskStats) => [number, number], scale = 1) =>
    snapshotCounter(registry, { name, help, labelNames: ['system_device', 'disk_io_direction'] }, () =>
      snapshot.flatMap((d): Sample[] => {
        const [r, w] = read(d);
        return [
          [{ system_device: d.device, disk_io_direction: 'read' }, r * scale],
          [{ system_device: d.device, disk_io_direction: 'write' }, w * scale],
        ];
      }),
    );

  directional(
    SYSTEM_DISK_IO_METRIC,
    'Bytes read from and written to each whole disk.',
    (d) => [d.sectorsRead, d.sectorsWritten],
    SECTOR_BYTES,
  );
  directional(
    SYSTEM_DISK_OPERATIONS_METRIC,
    'Read and write operations completed by each whole disk.',
    (d) => [d.readsCompleted, d.writesCompleted],
  );
  directional(
    SYSTEM_DISK_OPERATION_TIME_METRIC,
    'Sum of the time each read or write took, per disk; rate() / rate(operations) is the mean latency.',
    (d) => [d.readTimeMs, d.writeTimeMs],
    1 / 1000,
  );
  directional(
    SYSTEM_DISK_MERGED_METRIC,
    'Adjacent reads and writes merged into one operation by the I/O scheduler.',
    (d) => [d.readsMerged, d.writesMerged],
  );
  snapshotCounter(
    registry,
    {
      name: SYSTEM_DISK_IO_TIME_METRIC,
      help: 'Time each disk was busy with at least one operation; rate() near 1 means saturated.',
      labelNames: ['system_device'],
    },
    () => snapshot.map((d): Sample => [{ system_device: d.device }, d.ioTimeMs / 1000]),
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
