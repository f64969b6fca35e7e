/**
 * `observability-sidecar top --admin http://127.0.0.1:9464`: the status page's route table in a
 * terminal, for an SSH session on the host. It reads /status.json every few seconds and redraws;
 * `--once` prints the table once and exits (for scripts).
 */
interface Window {
  rate: number | null;
  success_rate: number | null;
  p50_seconds: number | string | null;
  p95_seconds: number | string | null;
  p99_seconds: number | string | null;
}

interface Row {
  method: string;
  route: string;
  last_minute: Window;
  last_10_minutes: Window;
  error_types: Record<string, number>;
}

interface Status {
  sidecar: { version: string; uptime_seconds: number };
  routes: Row[];
  unmatched: Row[];
  backend: { up: boolean; reason: string | null };
}

const REFRESH_MS = 2_000;

const rate = (x: number | null) => (x === null ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)}%`);
const ms = (x: number | string | null) =>
  typeof x !== 'number'
    ? x === 'inf'
      ? '>2min'
      : '-'
    : x < 1
      ? `${(x * 1000).toFixed(x < 0.01 ? 1 : 0)}ms`
      : `${x.toFixed(2)}s`;

/** The table as lines of text, widest route first fitted to `width` columns. */
export function renderTop(status: Status, width = 120): string[] {
  const head = ['METHOD', 'ROUTE', 'RPS', 'SUCCESS', 'P50', 'P95', 'P99', 'RPS 10M', 'ERRORS'];
  const cells = (r: Row) => [
    r.method,
    r.route,
    rate(r.last_minute.rate),
    pct(r.last_minute.success_rate),
    ms(r.last_minute.p50_seconds),
    ms(r.last_minute.p95_seconds),
    ms(r.last_minute.p99_seconds),
    rate(r.last_10_minutes.rate),
    Object.entries(r.error_types)
      .map(([k, n]) => `${k}x${n}`)
      .join(' ') || '-',
  ];
  const rows = [...status.routes, ...status.unmatched].map(cells);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const routeRoom = Math.max(12, width - widths.reduce((a, w, i) => (i === 1 ? a : a + w + 2), 0) - 2);
  widths[1] = Math.min(widths[1]!, routeRoom);
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const text = i === 1 && c.length > widths[1]! ? `${c.slice(0, widths[1]! - 1)}…` : c;
        return i >= 2 && i <= 7 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  const backend = status.backend.up ? 'backend up' : `backend DOWN: ${status.backend.reason ?? ''}`;
  return [
    `observability-sidecar ${status.sidecar.version}, up ${Math.round(status.sidecar.uptime_seconds / 60)} min, ${backend}`,
    '',
    line(head),
    ...rows.map(line),
    ...(rows.length === 0 ? ['(no requests in the last ten minutes)'] : []),
  ];
}

async function fetchStatus(admin: string): Promise<Status> {
  const res = await fetch(new URL('/status.json', admin), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${admin}/status.json answered ${res.status} (is STATUS_PAGE on?)`);
  return (await res.json()) as Status;
}

/** Runs `top`; resolves with the exit code. */
export async function runTop(args: readonly string[]): Promise<number> {
  const at = args.indexOf('--admin');
  const admin = at >= 0 ? args[at + 1] : (process.env.SIDECAR_ADMIN_URL ?? 'http://127.0.0.1:9464');
  if (admin === undefined || !URL.canParse(admin)) {
    process.stderr.write(
      'observability-sidecar top: --admin needs a URL, e.g. --admin http://127.0.0.1:9464\n',
    );
    return 2;
  }
  const once = args.includes('--once') || !process.stdout.isTTY;
  for (;;) {
    try {
      const lines = renderTop(await fetchStatus(admin), process.stdout.columns ?? 120);
      // Clear the screen and go home before each redraw, as top does.
      process.stdout.write(`${once ? '' : '\u001b[2J\u001b[H'}${lines.join('\n')}\n`);
    } catch (error) {
      process.stderr.write(`observability-sidecar top: ${(error as Error).message}\n`);
      if (once) return 1;
    }
    if (once) return 0;
    await new Promise((r) => setTimeout(r, REFRESH_MS));
  }
}
