import { readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { CounterDeclaration } from '../metrics/declaration.js';
import { NETWORK_METRICS } from './network-metrics.js';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter } from './snapshot-metric.js';

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

  const family = (declaration: CounterDeclaration, field: 'bytes' | 'packets' | 'errors' | 'dropped') =>
    snapshotCounter(registry, declaration, () =>
      snapshot.flatMap((i): Sample[] => [
        [{ network_interface_name: i.name, network_io_direction: 'receive' }, i.receive[field]],
        [{ network_interface_name: i.name, network_io_direction: 'transmit' }, i.transmit[field]],
      ]),
    );

  family(NETWORK_METRICS.io, 'bytes');
  family(NETWORK_METRICS.packets, 'packets');
  family(NETWORK_METRICS.errors, 'errors');
  family(NETWORK_METRICS.dropped, 'dropped');

  return {
    name: 'network',
    async collect(signal) {
      const text = await readFile('/proc/net/dev', { encoding: 'utf8', signal });
      snapshot = parseNetDev(text).filter((i) => !isLoopback(i.name));
    },
  };
}
