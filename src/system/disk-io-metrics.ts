import { declareMetrics } from '../metrics/declaration.js';

const DIRECTIONAL = ['system_device', 'disk_io_direction'];

/** Collector `disk` (disk-io.ts): whole disks from /proc/diskstats. */
export const DISK_METRICS = declareMetrics({
  io: {
    name: 'system_disk_io_bytes_total',
    type: 'counter',
    unit: 'bytes',
    help: 'Bytes read from and written to each whole disk.',
    labelNames: DIRECTIONAL,
  },
  operations: {
    name: 'system_disk_operations_total',
    type: 'counter',
    help: 'Read and write operations completed by each whole disk.',
    labelNames: DIRECTIONAL,
  },
  operationTime: {
    name: 'system_disk_operation_time_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Sum of the time each read or write took, per disk; rate() / rate(operations) is the mean latency.',
    labelNames: DIRECTIONAL,
  },
  merged: {
    name: 'system_disk_merged_total',
    type: 'counter',
    help: 'Adjacent reads and writes merged into one operation by the I/O scheduler.',
    labelNames: DIRECTIONAL,
  },
  ioTime: {
    name: 'system_disk_io_time_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Time each disk was busy with at least one operation; rate() near 1 means saturated.',
    labelNames: ['system_device'],
  },
});
