import { readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter } from './snapshot-metric.js';

export const SYSTEM_NETWORK_IO_METRIC = 'system_network_io_bytes_total';
export const SYSTEM_NETWORK_PACKETS_METRIC = 'system_network_packet_count_total';
export const SYSTEM_NETWORK_ERRORS_METRIC = 'system_network_errors_total';
export const SYSTEM_NETWORK_DROPPED_METRIC = 'system_network_packet_dropped_total';

export interface InterfaceStats {
  readonly name: string;
  readonly receive: {
    readonly bytes: number;
    readonly packets: number;
    readonly errors: number;
    readonly dropped: number;
  };
  readonly transmit: {
    readonly bytes: number;
    readonly packets: number;
    readonly errors: number;
    readonly dropped: number;
  };
}

/** Parses /proc/net/dev: two header lines, then `name: 8 receive columns 8 transmit columns`. */
export function parseNetDev(text: string): InterfaceStats[] {
  const interfaces: InterfaceStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (!name || f.length < 16 || f.some((v) => !Number.isFinite(v))) continue;
    interfaces.push({
      name,
      receive: { bytes: f[0]!, packets: f[1]!, errors: f[2]!, dropped: f[3]! },
      transmit: { bytes: f[8]!, packets: f[9]!, errors: f[10]!, dropped: f[11]! },
    });
  }
  return interfaces;
}

/** The loopback interface carries the sidecar's own traffic to a local backend: not network I/O. */
export function isLoopback(name: string): boolean {
  return name === 'lo';
}

/** Traffic per network interface of the sidecar's network namespace (its pod or container), from /proc/net/dev. */
export function createNetworkCollector(registry: Registry): Collector {
  let snapshot: InterfaceStats[] = [];

  const family = (name: string, help: string, field: 'bytes' | 'packets' | 'errors' | 'dropped') =>
    snapshotCounter(
      registry,
      { name, help, labelNames: ['network_interface_name', 'network_io_direction'] },
      () =>
        snapshot.flatMap((i): Sample[] => [
          [{ network_interface_name: i.name, network_io_direction: 'receive' }, i.receive[field]],
          [{ network_interface_name: i.name, network_io_direction: 'transmit' }, i.transmit[field]],
        ]),
    );

  family(
    SYSTEM_NETWORK_IO_METRIC,
    'Bytes received and transmitted per network interface (loopback excluded).',
    'bytes',
  );
  family(SYSTEM_NETWORK_PACKETS_METRIC, 'Packets received and transmitted per network interface.', 'packets');
  family(SYSTEM_NETWORK_ERRORS_METRIC, 'Receive and transmit errors per network interface.', 'errors');
  family(
    SYSTEM_NETWORK_DROPPED_METRIC,
    'Packets dropped without an error per network interface (full queues, no buffer).',
    'dropped',
  );

  return {
    name: 'network',
    async collect(signal) {
      const text = await readFile('/proc/net/dev', { encoding: 'utf8', signal });
      snapshot = parseNetDev(text).filter((i) => !isLoopback(i.name));
    },
  };
}
