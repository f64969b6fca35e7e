import { X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import type { Registry } from 'prom-client';
import type { TlsProbeTarget } from '../config/system.js';
import { CERTIFICATE_METRICS } from './certificates-metrics.js';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotGauge } from './snapshot-metric.js';

/** Files read when TLS_CERT_FILES names a directory. */
const CERT_FILE = /\.(?:pem|crt|cer)$/i;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface CertificateInfo {
  readonly subjectCn: string;
  readonly issuerCn: string;
  readonly serialNumber: string;
  readonly notAfterSeconds: number;
  readonly notBeforeSeconds: number;
}

function commonName(distinguishedName: string): string {
  return /^CN=(.*)$/m.exec(distinguishedName)?.[1] ?? '';
}

export function describeCertificate(cert: X509Certificate): CertificateInfo {
  return {
    subjectCn: commonName(cert.subject),
    issuerCn: commonName(cert.issuer),
    serialNumber: cert.serialNumber.toUpperCase(),
    notAfterSeconds: Math.floor(cert.validToDate.getTime() / 1000),
    notBeforeSeconds: Math.floor(cert.validFromDate.getTime() / 1000),
  };
}

/** Every certificate in a PEM text, in order (leaf first in a full chain); keys and other blocks are ignored. */
export function parsePemCertificates(text: string): CertificateInfo[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => describeCertificate(new X509Certificate(m[0])));
}

/** The chain the server presented, leaf first; stops at a self-signed certificate. */
export function presentedChain(leaf: DetailedPeerCertificate): CertificateInfo[] {
  const chain: CertificateInfo[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(describeCertificate(new X509Certificate(cert.raw)));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Connects, completes a TLS handshake and returns the presented chain. The certificate is not
 * verified: an expired or self-signed one must still be reported, that is the point.
 */
export function probeTls(target: TlsProbeTarget, signal: AbortSignal): Promise<CertificateInfo[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      rejectUnauthorized: false,
    });
    const onAbort = () => socket.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (error: Error | undefined, chain?: CertificateInfo[]) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(chain!);
    };
    socket.once('secureConnect', () => {
      try {
        const chain = presentedChain(socket.getPeerCertificate(true));
        finish(chain.length > 0 ? undefined : new Error('the server presented no certificate'), chain);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed before the TLS handshake completed')));
  });
}

interface SourceState {
  readonly type: 'file' | 'probe';
  readonly source: string;
  ok: boolean;
  certificates: CertificateInfo[];
}

/** The files a TLS_CERT_FILES entry stands for: itself, or the certificate files in a directory. */
async function expandCertPath(entry: string, signal: AbortSignal): Promise<string[]> {
  const info = await stat(entry);
  if (!info.isDirectory()) return [entry];
  const names = await readdir(entry);
  signal.throwIfAborted();
  return names
    .filter((name) => CERT_FILE.test(name))
    .sort()
    .map((name) => path.join(entry, name));
}

async function readCertFile(file: string, signal: AbortSignal): Promise<CertificateInfo[]> {
  const certificates = parsePemCertificates(await readFile(file, { encoding: 'utf8', signal }));
  if (certificates.length === 0) throw new Error('no PEM certificate in the file');
  return certificates;
}

/** Every certificate of every source, and whether each source's last check succeeded. */
function registerCertificateFamilies(registry: Registry, sources: ReadonlyMap<string, SourceState>): void {
  const certSamples = (read: (c: CertificateInfo) => number) => () =>
    [...sources.values()].flatMap((s) =>
      s.certificates.map(
        (c): Sample => [
          {
            source_type: s.type,
            source: s.source,
            subject_cn: c.subjectCn,
            issuer_cn: c.issuerCn,
            serial_number: c.serialNumber,
          },
          read(c),
        ],
      ),
    );

  snapshotGauge(
    registry,
    CERTIFICATE_METRICS.notAfter,
    certSamples((c) => c.notAfterSeconds),
  );
  snapshotGauge(
    registry,
    CERTIFICATE_METRICS.notBefore,
    certSamples((c) => c.notBeforeSeconds),
  );
  snapshotGauge(registry, CERTIFICATE_METRICS.checkSuccess, () =>
    [...sources.values()].map((s): Sample => [{ source_type: s.type, source: s.source }, s.ok ? 1 : 0]),
  );
}

/**
 * Expiry of the certificates in TLS_CERT_FILES (PEM files, e.g. nginx's) and of those presented
 * by TLS_PROBE_TARGETS. A source that cannot be read or reached keeps its last known
 * certificates, so an expiry alert does not resolve just because the check failed, and shows
 * `sidecar_tls_certificate_check_success 0`.
 */
export function createCertificatesCollector(
  registry: Registry,
  files: readonly string[],
  targets: readonly TlsProbeTarget[],
): Collector {
  const sources = new Map<string, SourceState>();

  registerCertificateFamilies(registry, sources);

  const record = (type: SourceState['type'], source: string, result: CertificateInfo[] | Error): string[] => {
    const key = `${type}\0${source}`;
    let state = sources.get(key);
    if (!state) {
      state = { type, source, ok: false, certificates: [] };
      sources.set(key, state);
    }
    if (result instanceof Error) {
      state.ok = false;
      return [`${source}: ${result.message}`];
    }
    state.ok = true;
    state.certificates = result;
    return [];
  };

  return {
    name: 'certificates',
    async collect(signal) {
      const seen = new Set<string>();
      const failures: string[] = [];
      const settle = <T>(promise: Promise<T>) =>
        promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));

      await Promise.all([
        ...files.map(async (entry) => {
          const expanded = await settle(expandCertPath(entry, signal));
          const list = expanded instanceof Error ? [entry] : expanded;
          await Promise.all(
            list.map(async (file) => {
              seen.add(`file\0${file}`);
              const result = expanded instanceof Error ? expanded : await settle(readCertFile(file, signal));
              failures.push(...record('file', file, result));
            }),
          );
        }),
        ...targets.map(async (target) => {
          seen.add(`probe\0${target.source}`);
          failures.push(...record('probe', target.source, await settle(probeTls(target, signal))));
        }),
      ]);
      // Files removed from a watched directory (a rotated certificate) stop being reported.
      for (const key of sources.keys()) if (!seen.has(key)) sources.delete(key);
      if (failures.length > 0) throw new Error(failures.join('; '));
    },
  };
}
