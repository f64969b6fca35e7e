import { declareMetrics } from '../metrics/declaration.js';

/** One label for all four families, so they join (the conventions give packet.count `system.device`). */
const DIRECTIONAL = ['network_interface_name', 'network_io_direction'];

/** Collector `network` (network.ts): each interface of the sidecar's network namespace. */
export const NETWORK_METRICS = declareMetrics({
  io: {
    name: 'system_network_io_bytes_total',
    type: 'counter',
    unit: 'bytes',
    help: 'Bytes received and transmitted per network interface (loopback excluded).',
    labelNames: DIRECTIONAL,
  },
  packets: {
    name: 'system_network_packet_count_total',
    type: 'counter',
    help: 'Packets received and transmitted per network interface.',
    labelNames: DIRECTIONAL,
  },
  errors: {
    name: 'system_network_errors_total',
    type: 'counter',
    help: 'Receive and transmit errors per network interface.',
    labelNames: DIRECTIONAL,
  },
  dropped: {
    name: 'system_network_packet_dropped_total',
    type: 'counter',
    help: 'Packets dropped without an error per network interface (full queues, no buffer).',
    labelNames: DIRECTIONAL,
  },
});
