import { dist, node, withSidecar } from './contestants.js';
import { fixedRateTimeline, median, ms } from './fixed-rate.js';
import { LOAD_CORES, pinned, RATE, REPS, SINK_PORT, waitFor } from './machine.js';

/** What the benchmark's Sentry can be switched to (bench/sentry-sink.ts). */
type SinkMode = 'answers' | 'hangs' | 'refuses';
/** Longer than the transport's deadline (SENTRY_TRANSPORT_TIMEOUT_MS, 5 s): a hang times out within a phase. */
const OUTAGE_PHASE_SECONDS = Number(process.env.BENCH_OUTAGE_PHASE_SECONDS ?? 10);

/**
 * Sum of a counter family's samples in a Prometheus text exposition. (test/helpers has a full
 * parser, but the image builds bench/ without test/.)
 */
function familyTotal(text: string, family: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/**
 * Proxied latency while Sentry is down. One warm sidecar (10% tracing) under a fixed load, half
 * on a 200 route and half on a route whose every response is a 503 that the sidecar captures,
 * while its Sentry answers, hangs, answers, refuses connections, and so on BENCH_REPS times,
 * answering last. The p99s of the answering phases are the noise an outage's p99 is read
 * against, measured in the same process, minutes apart. (Until run J each condition ran in a
 * fresh process, whose p99 depended as much on how warm it was as on Sentry.)
 */
export async function sentryOutage() {
  const modes: SinkMode[] = [];
  for (let rep = 0; rep < REPS; rep++) modes.push('answers', 'hangs', 'answers', 'refuses');
  modes.push('answers');
  const sinkPort = SINK_PORT + 10;
  const control = `http://127.0.0.1:${SINK_PORT + 11}`;
  const sink = pinned(LOAD_CORES, node, [dist('bench/sentry-sink.js')], {
    SINK_PORT: String(sinkPort),
    SINK_CONTROL_PORT: String(SINK_PORT + 11),
  });
  const env = { SENTRY_DSN: `http://public@127.0.0.1:${sinkPort}/1`, SENTRY_TRACES_SAMPLE_RATE: '0.1' };
  try {
    await waitFor(`${control}/`);
    return await withSidecar(env, async (proxy, admin) => {
      const phaseMs = OUTAGE_PHASE_SECONDS * 1000;
      const seconds = modes.length * OUTAGE_PHASE_SECONDS;
      // Spans counted as dropped by the sidecar, read as each phase begins and after the last.
      const dropped: Promise<number>[] = [];
      // Envelope spans lost, and OTLP spans that did not arrive (every outcome but sent).
      const readDropped = () =>
        fetch(`${admin}/metrics`)
          .then((r) => r.text())
          .then(
            (t) =>
              familyTotal(t, 'sidecar_sentry_spans_dropped_total') +
              familyTotal(t, 'sidecar_otlp_spans_total') -
              familyTotal(t, 'sidecar_otlp_spans_total{destination="sentry",outcome="sent"}'),
          );
      const timers: NodeJS.Timeout[] = [];
      const onStart = () => {
        modes.forEach((mode, i) => {
          timers.push(
            setTimeout(() => {
              dropped[i] = fetch(`${control}/${mode}`, { method: 'POST' }).then(readDropped);
              process.stderr.write(`sentry phase ${i + 1}/${modes.length}: ${mode}\n`);
            }, i * phaseMs),
          );
        });
      };
      // A phase of the same load first: a process fresh from start-up has a p99 of its own.
      const options = { warmupSeconds: OUTAGE_PHASE_SECONDS };
      const [ok, fail] = await Promise.all([
        fixedRateTimeline(`${proxy}/api/users/1`, RATE / 2, seconds, { ...options, onStart }),
        fixedRateTimeline(`${proxy}/fail`, RATE / 2, seconds, options),
      ]);
      for (const t of timers) clearTimeout(t);
      dropped[modes.length] = readDropped();
      const counts = await Promise.all(dropped);
      const phases = modes.map((mode, i) => ({
        mode,
        ok: ok.window(i * phaseMs, (i + 1) * phaseMs),
        fail: fail.window(i * phaseMs, (i + 1) * phaseMs),
        spansDropped: counts[i + 1]! - counts[i]!,
      }));
      const row = (mode: SinkMode) => {
        const ps = phases.filter((p) => p.mode === mode);
        const p99s = (key: 'ok' | 'fail') => ps.map((p) => ms(p[key].p99)).join(', ');
        const median99 = (key: 'ok' | 'fail') => ms(median(ps.map((p) => p[key].p99)));
        const median50 = ms(median(ps.map((p) => p.ok.p50)));
        const errors = ps.reduce((n, p) => n + p.ok.errors + p.fail.errors, 0);
        const spans = ps.reduce((n, p) => n + p.spansDropped, 0);
        return `| ${mode} | ${ps.length} | ${median50} | ${median99('ok')} (${p99s('ok')}) | ${median99('fail')} (${p99s('fail')}) | ${spans} | ${errors} |`;
      };
      const lines = [
        `Sentry outage: one sidecar, ${RATE}/s (half on a 200 route, half on a 503 route whose every response is captured), Sentry switched every ${OUTAGE_PHASE_SECONDS} s:`,
        '',
        '| Sentry | phases | 200 route p50, ms: median | 200 route p99, ms: median (each phase) | 503 route p99, ms: median (each phase) | spans counted dropped | request errors |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        row('answers'),
        row('hangs'),
        row('refuses'),
      ];
      return { phases, lines };
    });
  } finally {
    sink.kill();
  }
}
