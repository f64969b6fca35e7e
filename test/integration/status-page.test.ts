import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, request } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { startStack } from '../helpers/sidecar.js';

/**
 * The status page in a real browser (Debian's headless Chromium) against a running sidecar with
 * traffic: the rows agree with /status.json and /metrics, the page asks nothing of any other
 * origin, and it runs without console errors or Content-Security-Policy violations. Screenshots
 * in light, dark and narrow layouts are saved under SCREENSHOTS.
 */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.STATUS_PAGE_SCREENSHOTS ?? path.join(os.tmpdir(), 'sidecar-status-page');

let stack: Awaited<ReturnType<typeof startStack>>;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ ROUTE_PATTERNS: '/api/users/{id},/api/accounts/{id}' });
  for (let i = 0; i < 30; i++) await request(`${stack.proxyUrl}/api/users/${i}`);
  for (let i = 0; i < 12; i++) await request(`${stack.proxyUrl}/api/accounts/${i}`);
  for (let i = 0; i < 5; i++) await request(`${stack.proxyUrl}/api/fail?status=503`);
  await request(`${stack.proxyUrl}/wp-login.php`);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    // The test machine runs as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface Watched {
  page: Page;
  problems: string[];
  foreign: string[];
}

async function open(): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  const problems: string[] = [];
  const foreign: string[] = [];
  const origin = new URL(stack.adminUrl).origin;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  await page.goto(`${stack.adminUrl}/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#routes-body tr');
  return { page, problems, foreign };
}

describe('the status page in Chromium', () => {
  it('shows the routes /status.json and /metrics have, and asks nothing of another origin', async () => {
    const { page, problems, foreign } = await open();
    const rows = await page.$$eval('#routes-body tr', (trs) =>
      trs.map((tr) => ({
        method: tr.children[0]!.textContent,
        route: tr.children[1]!.textContent,
        success: tr.children[3]!.textContent,
        sparklines: tr.querySelectorAll('svg polyline').length,
      })),
    );
    const status = json<{
      routes: Array<{ method: string; route: string; last_minute: { requests: number } }>;
    }>(await request(`${stack.adminUrl}/status.json`));
    expect(rows.map((r) => `${r.method} ${r.route}`).sort()).toEqual(
      status.routes.map((r) => `${r.method} ${r.route}`).sort(),
    );
    const samples = await scrape(stack.adminUrl);
    for (const r of status.routes) {
      const counted = valueOf(samples, 'http_server_request_duration_seconds_count', { http_route: r.route });
      expect(r.last_minute.requests, r.route).toBe(counted);
    }
    expect(rows.find((r) => r.route === '/api/fail')?.success).toBe('0%');
    expect(rows.find((r) => r.route === '/api/users/{id}')?.success).toBe('100%');
    for (const r of rows) expect(r.sparklines, r.route).toBe(3);
    const unmatched = await page.$$eval('#unmatched-body th', (ths) => ths.map((th) => th.textContent));
    expect(unmatched).toEqual(['__not_found__']);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-light.png'), fullPage: true });
    await page.close();
  }, 30_000);

  it('shows the backend, Sentry, recent errors, ingest, system and sidecar panels as /status.json has them', async () => {
    const { page, problems } = await open();
    await page.waitForSelector('#errors-body tr');
    const terms = async (id: string) =>
      page.$eval(`#${id}`, (dl) =>
        Object.fromEntries(
          [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]),
        ),
      );
    const status = json<{
      backend: { pool: { max: number } };
      errors: { recent: Array<{ message: string }> };
      sidecar: { version: string };
    }>(await request(`${stack.adminUrl}/status.json`));
    const backend = await terms('backend');
    expect(backend.State).toBe('up');
    expect(backend.Connections).toMatch(
      new RegExp(`^\\d+ active, \\d+ idle, 0 queued, of ${status.backend.pool.max}$`),
    );
    expect(backend['Upstream errors']).toBe('none');
    expect(await terms('sentry')).toEqual({ State: 'disabled', Reason: 'SENTRY_DSN is not set' });
    const errors = await page.$$eval('#errors-body tr', (trs) =>
      trs.map((tr) => tr.children[2]!.textContent),
    );
    expect(errors).toEqual(status.errors.recent.map((e) => e.message));
    expect(errors.length).toBe(5);
    const where = await page.$eval('#errors-body tr', (tr) => tr.children[3]!.textContent);
    expect(where).toBe('GET /api/fail');
    expect((await terms('ingest')).Events).toBe('none yet');
    expect((await terms('system'))['Host CPU']).toMatch(/busy of \d+ CPUs$|^–$/);
    expect((await terms('sidecar')).Version).toBe(status.sidecar.version);
    const config = await page.$eval('#config', (pre) => JSON.parse(pre.textContent ?? 'null'));
    expect(config.upstream.url).toBe(`${stack.backend.url}/`);
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('sorts by a column when its heading is pressed', async () => {
    const { page, problems } = await open();
    await page.click('th[data-sort="route"] button');
    const routes = await page.$$eval('#routes-body th', (ths) => ths.map((th) => th.textContent ?? ''));
    expect(routes).toEqual([...routes].sort());
    expect(await page.$eval('th[data-sort="route"]', (th) => th.getAttribute('aria-sort'))).toBe('ascending');
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('renders dark and narrow layouts without errors', async () => {
    const { page, problems } = await open();
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    // Runs in the page: the test's own types know no DOM.
    type Styled = { getComputedStyle(e: unknown): { backgroundColor: string } };
    const background = await page.$eval(
      'body',
      (b) => (globalThis as unknown as Styled).getComputedStyle(b).backgroundColor,
    );
    expect(background).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-dark.png'), fullPage: true });
    await page.setViewport({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status-narrow.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);
});
