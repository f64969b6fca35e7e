import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.js';

/**
 * GET / on the admin port: one self-contained page (no external assets, nothing to build) that
 * shows /status.json and updates in place. Its script and style are inline and named by hash in
 * a strict Content-Security-Policy, which the page satisfies; it may fetch only from its own
 * origin. Light and dark follow `prefers-color-scheme`.
 */
const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #59636e; --line: #d1d9e0; --up: #1a7f37; --down: #cf222e; --spark: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --up: #3fb950; --down: #f85149; --spark: #4493f8; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 1rem; max-width: 80rem; }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; } h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
p.meta { color: var(--muted); margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th[scope=row] { font-weight: 500; font-family: ui-monospace, monospace; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; font-weight: 600; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
.spark { width: 7.5rem; height: 1.5rem; margin-right: .25rem; vertical-align: middle; }
.spark polyline { fill: none; stroke: var(--spark); stroke-width: 1.5; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; }
.up { color: var(--up); font-weight: 600; } .down { color: var(--down); font-weight: 600; }
pre { font: 12px/1.4 ui-monospace, monospace; overflow-x: auto; }
summary { cursor: pointer; margin-top: .5rem; }
ul.plain { margin: 0; padding-left: 1rem; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 0 2rem; }
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const header = (key: string, label: string) =>
  `<th scope="col" data-sort="${key}"><button type="button">${label}</button></th>`;

const ROUTE_HEAD = `<thead><tr>${header('method', 'Method')}${header('route', 'Route')}${header('rate', 'req/s 1 min')}${header('success', 'Success 1 min')}<th scope="col">p50</th><th scope="col">p95</th>${header('p99', 'p99')}${header('inflight', 'In flight')}<th scope="col">req/s 10 min</th><th scope="col">Success 10 min</th><th scope="col">Ten minutes: req/s, errors, p99</th><th scope="col">Error types</th></tr></thead>`;

export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>observability-sidecar status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>observability-sidecar</h1>
<p class="meta" id="updated" aria-live="polite">Loading…</p>
</header>
<main>
<h2 id="routes-title">Routes</h2>
<div class="scroll"><table aria-labelledby="routes-title">${ROUTE_HEAD}<tbody id="routes-body"></tbody></table></div>
<p class="meta" id="routes-empty" hidden>No requests in the last ten minutes.</p>
<h2 id="unmatched-title">Not matched to a route</h2>
<div class="scroll"><table aria-labelledby="unmatched-title">${ROUTE_HEAD}<tbody id="unmatched-body"></tbody></table></div>
<div class="panels">
<section aria-labelledby="backend-title"><h2 id="backend-title">Backend</h2><dl id="backend"></dl></section>
<section aria-labelledby="sentry-title"><h2 id="sentry-title">Sentry</h2><dl id="sentry"></dl></section>
<section aria-labelledby="ingest-title"><h2 id="ingest-title">Ingest</h2><dl id="ingest"></dl></section>
<section aria-labelledby="system-title"><h2 id="system-title">System</h2><dl id="system"></dl></section>
</div>
<h2 id="errors-title">Recent errors</h2>
<div class="scroll"><table aria-labelledby="errors-title"><thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Message</th><th scope="col">Where</th><th scope="col">Sentry</th><th scope="col">Sentry event</th><th scope="col">Suppressed</th></tr></thead><tbody id="errors-body"></tbody></table></div>
<p class="meta" id="errors-empty" hidden>No errors captured since the sidecar started.</p>
<section aria-labelledby="sidecar-title"><h2 id="sidecar-title">Sidecar</h2><dl id="sidecar"></dl>
<details><summary>Configuration (secrets hidden)</summary><pre id="config"></pre></details></section>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
