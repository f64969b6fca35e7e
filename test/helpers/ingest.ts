import http from 'node:http';
import { type Sample, scrape } from './prometheus-text.js';

export interface IngestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> & {
    accepted?: number;
    duplicates?: number;
    rejected?: Array<{ index: number; reason: string }>;
    error?: string;
    message?: string;
  };
}

export interface PostOptions {
  /** Default application/json; null sends no Content-Type. */
  contentType?: string | null;
  contentEncoding?: string;
  headers?: http.OutgoingHttpHeaders;
  localAddress?: string;
}

/**
 * POST /v1/events with node:http, so the body goes out byte for byte (fetch would add a
 * Content-Type to a string body). A server that answers early (413) and closes is fine: write
 * errors after the response arrived are ignored.
 */
export function postEvents(
  adminUrl: string,
  body: Buffer | string | unknown,
  options: PostOptions = {},
): Promise<IngestResponse> {
  const payload = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const headers: http.OutgoingHttpHeaders = { 'content-length': payload.length, ...options.headers };
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  if (options.contentEncoding !== undefined) headers['content-encoding'] = options.contentEncoding;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      `${adminUrl}/v1/events`,
      { method: 'POST', agent: false, headers, localAddress: options.localAddress },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(payload);
  });
}

/** Families the ingest API records for the application (not the sidecar's own health). */
export function isApplicationSample(sample: Sample): boolean {
  return /^(app_|db_client_|gen_ai_)/.test(sample.name) || sample.name.startsWith('sidecar_label_overflow');
}

export function sampleKey(sample: Sample): string {
  const labels = Object.entries(sample.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${sample.name}{${labels}}`;
}

/** Application samples by key. */
export async function applicationSnapshot(adminUrl: string): Promise<Map<string, number>> {
  const samples = await scrape(adminUrl);
  return new Map(samples.filter(isApplicationSample).map((s) => [sampleKey(s), s.value]));
}

/** Keys whose value changed between two snapshots (a new series counts from 0). */
export function changes(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const changed = new Map<string, number>();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) changed.set(key, delta);
  }
  for (const [key, value] of before) if (!after.has(key)) changed.set(key, -value);
  return changed;
}

/** New series (value 0 or not) between two snapshots. */
export function newSeries(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after.keys()].filter((key) => !before.has(key));
}
