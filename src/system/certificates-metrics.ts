import { declareMetrics } from '../metrics/declaration.js';

const CERT_LABELS = ['source_type', 'source', 'subject_cn', 'issuer_cn', 'serial_number'];

/** Collector `certificates` (certificates.ts): PEM files and TLS probes. */
export const CERTIFICATE_METRICS = declareMetrics({
  notAfter: {
    name: 'sidecar_tls_certificate_not_after_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time a certificate expires (notAfter), for each certificate of each file and each probed server, chain included.',
    labelNames: CERT_LABELS,
  },
  notBefore: {
    name: 'sidecar_tls_certificate_not_before_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time a certificate becomes valid (notBefore).',
    labelNames: CERT_LABELS,
  },
  checkSuccess: {
    name: 'sidecar_tls_certificate_check_success',
    type: 'gauge',
    help: 'Whether the last read of a certificate file or TLS probe succeeded; on 0 its expiry series show the last known certificates.',
    labelNames: ['source_type', 'source'],
  },
});
