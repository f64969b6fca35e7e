/**
 * The status page's script, as text served inline (its hash is in the page's
 * Content-Security-Policy). Plain browser JavaScript without dependencies: it fetches
 * /status.json every few seconds, fills the tables in place and draws each route's
 * sparklines as inline SVG.
 */
export const PAGE_SCRIPT = `
'use strict';
const REFRESH_MS = 5000;
let sortKey = 'rate';
let sortDown = true;
let last = null;

const fmt = {
  rate: (x) => (x === null ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(0)),
  pct: (x) => (x === null ? '–' : (x * 100).toFixed(x === 1 || x === 0 ? 0 : 1) + '%'),
  ms: (x) => (x === null ? '–' : x === 'inf' ? '> 2 min' : x < 1 ? (x * 1000).toFixed(x < 0.01 ? 1 : 0) + ' ms' : x.toFixed(2) + ' s'),
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function spark(values, label) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 120 24');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const nums = values.map((v) => (typeof v === 'number' ? v : 0));
  const max = Math.max(...nums, 1e-9);
  const step = 120 / Math.max(nums.length - 1, 1);
  const points = nums.map((v, i) => (i * step).toFixed(1) + ',' + (23 - (v / max) * 22).toFixed(1)).join(' ');
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', points);
  svg.append(line);
  return svg;
}

function row(r) {
  const m = r.last_minute;
  const t = r.last_10_minutes;
  const errors = Object.entries(r.error_types).map(([k, n]) => k + ' ×' + n).join(', ');
  const rate = r.series.requests.map((n) => n / 10);
  const errorRate = r.series.errors.map((n, i) => (r.series.requests[i] ? n / r.series.requests[i] : 0));
  return el('tr', {},
    el('td', {}, r.method),
    el('th', { scope: 'row' }, r.route),
    el('td', { class: 'num' }, fmt.rate(m.rate)),
    el('td', { class: 'num' }, fmt.pct(m.success_rate)),
    el('td', { class: 'num' }, fmt.ms(m.p50_seconds)),
    el('td', { class: 'num' }, fmt.ms(m.p95_seconds)),
    el('td', { class: 'num' }, fmt.ms(m.p99_seconds)),
    el('td', { class: 'num' }, String(r.in_flight)),
    el('td', { class: 'num' }, fmt.rate(t.rate)),
    el('td', { class: 'num' }, fmt.pct(t.success_rate)),
    el('td', {}, spark(rate, 'requests per second, ten minutes'), spark(errorRate, 'error rate, ten minutes'), spark(r.series.p99_seconds, 'p99, ten minutes')),
    el('td', {}, errors || '–'),
  );
}

const KEYS = {
  method: (r) => r.method,
  route: (r) => r.route,
  rate: (r) => r.last_minute.rate,
  success: (r) => r.last_minute.success_rate ?? 2,
  p99: (r) => (typeof r.last_minute.p99_seconds === 'number' ? r.last_minute.p99_seconds : Infinity),
  inflight: (r) => r.in_flight,
};

function fill(tbody, rows) {
  const key = KEYS[sortKey];
  const sorted = [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * (sortDown ? -1 : 1);
  });
  tbody.replaceChildren(...sorted.map(row));
}

const mib = (x) => (x === null ? '–' : (x / 1048576).toFixed(0) + ' MiB');
const share = (x) => (x === null ? '–' : (x * 100).toFixed(1) + '%');
const counts = (o) => Object.entries(o).map(([k, n]) => k + ' ×' + n).join(', ') || 'none';

/** Fills a definition list from [term, description, class] triples; a missing description is left out. */
function pairs(id, items) {
  const nodes = [];
  for (const [term, desc, cls] of items) {
    if (desc === undefined) continue;
    nodes.push(el('dt', {}, term), el('dd', cls ? { class: cls } : {}, desc));
  }
  document.getElementById(id).replaceChildren(...nodes);
}

function renderBackend(b) {
  const p = b.pool;
  const proc = b.process;
  pairs('backend', [
    ['State', b.up ? 'up' : 'down', b.up ? 'up' : 'down'],
    ['Last probe', b.last_probe_at ?? '–'],
    ['Reason', b.reason ?? '–'],
    ['Connections', (p.active ?? '–') + ' active, ' + (p.idle ?? '–') + ' idle, ' + (p.queued ?? '–') + ' queued, of ' + (p.max ?? '–')],
    ['Upstream errors', counts(b.upstream_errors)],
    ['Process', proc === null ? undefined : proc.found ? share(proc.cpu_utilization) + ' CPU, ' + mib(proc.memory_bytes) : 'not found', proc && !proc.found ? 'down' : ''],
  ]);
}

function renderSentry(e) {
  const s = e.sentry;
  pairs('sentry', [
    ['State', s.state, s.state === 'paused' ? 'down' : s.state === 'sending' ? 'up' : ''],
    ['Since', s.since ?? undefined],
    ['Reason', s.reason ?? undefined],
    ['Next probe', s.next_probe_at ?? undefined],
  ]);
  const rows = e.recent.map((r) => el('tr', {},
    el('td', {}, r.timestamp),
    el('td', {}, r.kind),
    el('td', {}, r.message),
    el('td', {}, r.tags.route ? (r.tags.method ?? '') + ' ' + r.tags.route : r.tags.component ?? '–'),
    el('td', {}, r.sentry),
    el('td', {}, r.sentry_event_id ?? '–'),
    el('td', { class: 'num' }, String(r.suppressed)),
  ));
  document.getElementById('errors-body').replaceChildren(...rows);
  document.getElementById('errors-empty').hidden = rows.length > 0;
}

function renderIngest(i) {
  if (i === null) return pairs('ingest', [['State', 'off (INGEST_ENABLED=false)']]);
  const recent = el('ul', { class: 'plain' }, ...i.recent_rejections.slice(0, 5).map((r) => el('li', {}, r.code + ': ' + r.reason)));
  pairs('ingest', [
    ['Events', i.events.map((e) => e.type + ' ' + fmt.rate(e.per_second) + '/s (' + e.total + ')').join(', ') || 'none yet'],
    ['Duplicates', String(i.duplicates)],
    ['Rejections', counts(i.rejections)],
    ['Last rejections', i.recent_rejections.length ? recent : undefined],
    ['Label budgets', i.label_budgets.map((b) => b.type + '.' + b.field + ' ' + b.used + '/' + b.limit).join(', ') || 'none used'],
    ['OTLP data points', i.otlp === null ? 'off' : fmt.rate(i.otlp.data_points_per_second) + '/s (' + i.otlp.accepted + ' accepted)'],
    ['OTLP rejections', i.otlp === null ? undefined : counts(i.otlp.rejected)],
    ['OTLP series', i.otlp === null ? undefined : i.otlp.series + ' of ' + i.otlp.series_limit],
  ]);
}

function renderSystem(s) {
  const h = s.host;
  const c = s.container;
  const certs = s.certificates;
  pairs('system', [
    ['Host CPU', h.cpu_busy === null ? '–' : share(h.cpu_busy) + ' busy of ' + h.cpus + ' CPUs'],
    ['Host memory', mib(h.memory_used_bytes) + ' of ' + mib(h.memory_limit_bytes)],
    ['Container CPU', c.cpu_usage === null ? undefined : c.cpu_usage.toFixed(2) + ' CPUs' + (c.cpu_limit === null ? '' : ' of ' + c.cpu_limit)],
    ['Container memory', c.memory_working_set_bytes === null ? undefined : mib(c.memory_working_set_bytes) + (c.memory_limit_bytes === null ? ', no limit' : ' of ' + mib(c.memory_limit_bytes))],
    ['Certificates', certs.expiring_first.length === 0 && certs.failed_checks.length === 0 ? 'none watched' : undefined],
    ...certs.expiring_first.map((x) => ['Certificate', x.subject_cn + ' (' + x.source + '): ' + x.days_left + ' days left', x.expiring_soon ? 'down' : '']),
    ...certs.failed_checks.map((x) => ['Certificate', x.source + ': check failed', 'down']),
  ]);
}

function render(status) {
  last = status;
  fill(document.getElementById('routes-body'), status.routes);
  fill(document.getElementById('unmatched-body'), status.unmatched);
  document.getElementById('routes-empty').hidden = status.routes.length > 0;
  renderBackend(status.backend);
  renderSentry(status.errors);
  renderIngest(status.ingest);
  renderSystem(status.system);
  const s = status.sidecar;
  pairs('sidecar', [
    ['Version', s.version],
    ['Uptime', Math.round(s.uptime_seconds / 60) + ' min'],
    ['CPU', s.cpu_cores === null ? '–' : (s.cpu_cores * 100).toFixed(1) + '% of a core'],
    ['Memory', mib(s.rss_bytes)],
  ]);
  document.getElementById('config').textContent = JSON.stringify(s.config, null, 2);
  document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    const res = await fetch('status.json', { cache: 'no-store' });
    if (res.ok) render(await res.json());
    else document.getElementById('updated').textContent = 'The sidecar answered ' + res.status;
  } catch {
    document.getElementById('updated').textContent = 'The sidecar cannot be reached; retrying';
  }
}

for (const th of document.querySelectorAll('th[data-sort]')) {
  th.querySelector('button').addEventListener('click', () => {
    const key = th.getAttribute('data-sort');
    sortDown = key === sortKey ? !sortDown : key !== 'route' && key !== 'method';
    sortKey = key;
    for (const other of document.querySelectorAll('th[data-sort]')) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', sortDown ? 'descending' : 'ascending');
    if (last) render(last);
  });
}

refresh();
setInterval(refresh, REFRESH_MS);
`;
