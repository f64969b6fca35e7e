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

function render(status) {
  last = status;
  fill(document.getElementById('routes-body'), status.routes);
  fill(document.getElementById('unmatched-body'), status.unmatched);
  document.getElementById('routes-empty').hidden = status.routes.length > 0;
  const b = status.backend;
  document.getElementById('backend').replaceChildren(
    el('dt', {}, 'State'), el('dd', { class: b.up ? 'up' : 'down' }, b.up ? 'up' : 'down'),
    el('dt', {}, 'Last probe'), el('dd', {}, b.last_probe_at ?? '–'),
    el('dt', {}, 'Reason'), el('dd', {}, b.reason ?? '–'),
  );
  const s = status.sidecar;
  document.getElementById('sidecar').replaceChildren(
    el('dt', {}, 'Version'), el('dd', {}, s.version),
    el('dt', {}, 'Uptime'), el('dd', {}, Math.round(s.uptime_seconds / 60) + ' min'),
    el('dt', {}, 'Memory'), el('dd', {}, (s.rss_bytes / 1048576).toFixed(0) + ' MiB'),
  );
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
