import { declareMetrics } from '../metrics/declaration.js';

const MOUNT_LABELS = [
  'system_device',
  'system_filesystem_mountpoint',
  'system_filesystem_type',
  'system_filesystem_mode',
];

/** Collector `filesystem` (filesystem.ts): statfs(2) of each real mount, the numbers `df` shows. */
export const FILESYSTEM_METRICS = declareMetrics({
  usage: {
    name: 'system_filesystem_usage_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Filesystem space by state: used, free (available to unprivileged users) and reserved (for root). The states sum to the size.',
    labelNames: [...MOUNT_LABELS, 'system_filesystem_state'],
  },
  utilization: {
    name: 'system_filesystem_utilization_ratio',
    type: 'gauge',
    unit: 'ratio',
    help: "Share of the filesystem's space in use as df computes it: used / (used + free) (0-1).",
    labelNames: MOUNT_LABELS,
  },
  limit: {
    name: 'system_filesystem_limit_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Size of the filesystem.',
    labelNames: MOUNT_LABELS,
  },
});
