import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_METRICS } from '../../../src/system/certificates-metrics.js';
import { COLLECTOR_METRICS } from '../../../src/system/scheduler-metrics.js';
import { eventually } from '../../helpers/http.js';
import { type Sample, scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OPENSSL = hasOpenssl();
if (!OPENSSL) {
  console.warn(
    'openssl is not installed: the certificate tests are skipped (.ci/run installs it where it can)',
  );
}

interface Generated {
  readonly certFile: string;
  readonly keyFile: string;
  /** What openssl itself says, the reference the sidecar's numbers are checked against. */
  readonly notAfter: number;
  readonly notBefore: number;
  readonly serial: string;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inspect(certFile: string): Pick<Generated, 'notAfter' | 'notBefore' | 'serial'> {
  const out = openssl('x509', '-in', certFile, '-noout', '-startdate', '-enddate', '-serial');
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)![1]!;
  return {
    notBefore: Date.parse(field('notBefore')) / 1000,
    notAfter: Date.parse(field('notAfter')) / 1000,
    serial: field('serial').toUpperCase(),
  };
}

/** A key and a certificate for `cn`, self-signed or signed by `ca`, valid for `days`. */
function generate(dir: string, name: string, cn: string, days: number, ca?: Generated): Generated {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile);
  if (ca) {
    const csr = path.join(dir, `${name}.csr`);
    openssl('req', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-out', csr);
    openssl(
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-days',
      String(days),
      '-out',
      certFile,
    );
  } else {
    openssl(
      'req',
      '-x509',
      '-key',
      keyFile,
      '-subj',
      `/CN=${cn}`,
      '-days',
      String(days),
      '-addext',
      `subjectAltName=DNS:${cn}`,
      '-out',
      certFile,
    );
  }
  return { certFile, keyFile, ...inspect(certFile) };
}

function certSeries(samples: Sample[], name: string, source: string): Sample[] {
  return samples.filter((s) => s.name === name && s.labels.source === source);
}

describe.skipIf(!OPENSSL)('certificate expiry metrics', () => {
  let dir: string;
  let selfSigned: Generated;
  let ca: Generated;
  let leaf: Generated;
  let chainFile: string;
  let sidecar: RunningSidecar | undefined;
  const servers: tls.Server[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-certs-'));
    selfSigned = generate(dir, 'self', 'localhost', 42);
    ca = generate(dir, 'ca', 'Test Root CA', 400);
    leaf = generate(dir, 'leaf', 'api.example.test', 10, ca);
    chainFile = path.join(dir, 'fullchain.pem');
    writeFileSync(chainFile, readFileSync(leaf.certFile, 'utf8') + readFileSync(ca.certFile, 'utf8'));
  });
  afterEach(async () => {
    await sidecar?.close();
    sidecar = undefined;
    for (const server of servers.splice(0)) server.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function tlsServer(certPem: string, keyFile: string): Promise<number> {
    const server = tls.createServer({ cert: certPem, key: readFileSync(keyFile) }, (socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function scrapeWhen(check: (s: Sample[]) => boolean): Promise<Sample[]> {
    return eventually(async () => {
      const s = await scrape(sidecar!.adminUrl);
      return check(s) ? s : undefined;
    });
  }

  it('reports the expiry of a PEM file exactly as openssl reads it, for every certificate of a chain', async () => {
    sidecar = await startSidecar('http://127.0.0.1:9', {
      SYSTEM_METRICS_INTERVAL_MS: '200',
      TLS_CERT_FILES: `${selfSigned.certFile},${chainFile}`,
    });
    const s = await scrapeWhen(
      (r) => certSeries(r, CERTIFICATE_METRICS.notAfter.name, chainFile).length === 2,
    );

    const [self] = certSeries(s, CERTIFICATE_METRICS.notAfter.name, selfSigned.certFile);
    expect(self!.labels).toEqual({
      source_type: 'file',
      source: selfSigned.certFile,
      subject_cn: 'localhost',
      issuer_cn: 'localhost',
      serial_number: selfSigned.serial,
    });
    expect(self!.value).toBe(selfSigned.notAfter);
    // -days 42 from now, the known expiry.
    expect(Math.abs(self!.value - (Date.now() / 1000 + 42 * 86_400))).toBeLessThan(60);
    expect(valueOf(s, CERTIFICATE_METRICS.notBefore.name, { source: selfSigned.certFile })).toBe(
      selfSigned.notBefore,
    );

    expect(
      valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: chainFile, subject_cn: 'api.example.test' }),
    ).toBe(leaf.notAfter);
    expect(
      valueOf(s, CERTIFICATE_METRICS.notAfter.name, {
        source: chainFile,
        subject_cn: 'api.example.test',
        issuer_cn: 'Test Root CA',
        serial_number: leaf.serial,
      }),
    ).toBe(leaf.notAfter);
    expect(
      valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: chainFile, subject_cn: 'Test Root CA' }),
    ).toBe(ca.notAfter);
    expect(
      valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source_type: 'file', source: chainFile }),
    ).toBe(1);
    expect(valueOf(s, COLLECTOR_METRICS.errors.name, { collector: 'certificates' })).toBe(0);
  });

  it('reads every certificate file of a directory', async () => {
    const certDir = path.join(dir, 'certs.d');
    mkdirSync(certDir);
    writeFileSync(path.join(certDir, 'a.crt'), readFileSync(selfSigned.certFile));
    writeFileSync(path.join(certDir, 'b.pem'), readFileSync(leaf.certFile));
    writeFileSync(path.join(certDir, 'README'), 'not a certificate');
    sidecar = await startSidecar('http://127.0.0.1:9', {
      SYSTEM_METRICS_INTERVAL_MS: '200',
      TLS_CERT_FILES: certDir,
    });
    const s = await scrapeWhen((r) => r.some((x) => x.name === CERTIFICATE_METRICS.notAfter.name));
    expect(valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: path.join(certDir, 'a.crt') })).toBe(
      selfSigned.notAfter,
    );
    expect(valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: path.join(certDir, 'b.pem') })).toBe(
      leaf.notAfter,
    );
    expect(s.filter((x) => x.name === CERTIFICATE_METRICS.checkSuccess.name)).toHaveLength(2);
  });

  it('probes TLS servers and reports the chain they present', async () => {
    const selfPort = await tlsServer(readFileSync(selfSigned.certFile, 'utf8'), selfSigned.keyFile);
    const chainPort = await tlsServer(readFileSync(chainFile, 'utf8'), leaf.keyFile);
    const selfTarget = `localhost@127.0.0.1:${selfPort}`;
    const chainTarget = `127.0.0.1:${chainPort}`;
    sidecar = await startSidecar('http://127.0.0.1:9', {
      SYSTEM_METRICS_INTERVAL_MS: '200',
      TLS_PROBE_TARGETS: `${selfTarget},${chainTarget}`,
    });
    const s = await scrapeWhen(
      (r) => certSeries(r, CERTIFICATE_METRICS.notAfter.name, chainTarget).length === 2,
    );
    expect(certSeries(s, CERTIFICATE_METRICS.notAfter.name, selfTarget)).toEqual([
      {
        name: CERTIFICATE_METRICS.notAfter.name,
        labels: {
          source_type: 'probe',
          source: selfTarget,
          subject_cn: 'localhost',
          issuer_cn: 'localhost',
          serial_number: selfSigned.serial,
        },
        value: selfSigned.notAfter,
      },
    ]);
    expect(
      valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: chainTarget, subject_cn: 'api.example.test' }),
    ).toBe(leaf.notAfter);
    expect(
      valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: chainTarget, subject_cn: 'Test Root CA' }),
    ).toBe(ca.notAfter);
    expect(
      valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source_type: 'probe', source: selfTarget }),
    ).toBe(1);
  });

  it('a broken source is counted and logged once, the others are still reported, last values are kept', async () => {
    const broken = path.join(dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    const rotating = path.join(dir, 'rotating.pem');
    writeFileSync(rotating, readFileSync(selfSigned.certFile));
    sidecar = await startSidecar('http://127.0.0.1:9', {
      SYSTEM_METRICS_INTERVAL_MS: '100',
      TLS_CERT_FILES: `${broken},${rotating},${path.join(dir, 'missing.pem')}`,
    });
    let s = await scrapeWhen(
      (r) => valueOf(r, COLLECTOR_METRICS.errors.name, { collector: 'certificates' }) >= 3,
    );
    expect(valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source: broken })).toBe(0);
    expect(valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source: path.join(dir, 'missing.pem') })).toBe(
      0,
    );
    expect(valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: rotating })).toBe(selfSigned.notAfter);
    expect(valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source: rotating })).toBe(1);
    const warnings = sidecar.logs.lines.filter((l) => l.collector === 'certificates' && l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toContain('broken.pem');

    // The file goes bad: its last known certificate stays, flagged by check_success 0.
    writeFileSync(rotating, 'truncated');
    s = await scrapeWhen(
      (r) => valueOf(r, CERTIFICATE_METRICS.checkSuccess.name, { source: rotating }) === 0,
    );
    expect(valueOf(s, CERTIFICATE_METRICS.notAfter.name, { source: rotating })).toBe(selfSigned.notAfter);
    // A renewed certificate replaces the old one.
    writeFileSync(rotating, readFileSync(leaf.certFile));
    s = await scrapeWhen(
      (r) => valueOf(r, CERTIFICATE_METRICS.checkSuccess.name, { source: rotating }) === 1,
    );
    expect(certSeries(s, CERTIFICATE_METRICS.notAfter.name, rotating).map((x) => x.value)).toEqual([
      leaf.notAfter,
    ]);
  });
});
