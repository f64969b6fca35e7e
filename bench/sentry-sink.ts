import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The benchmark's Sentry: accepts envelopes on SINK_PORT and answers 200. Its own process, so
 * its work never delays the load generator's timers.
 *
 * It can also play a Sentry that is down, switched while the sidecar runs so one warm sidecar
 * process is measured through an outage and back: `POST /<mode>` on SINK_CONTROL_PORT, where
 * the mode is
 * - `hangs`: it accepts connections and reads requests but never answers;
 * - `refuses`: it refuses connections (the port is closed);
 * - `answers`: as at start; connections held while hanging are cut, as a restarted Sentry's are.
 */
type Mode = 'answers' | 'hangs' | 'refuses';

let port = Number(process.env.SINK_PORT);
const held = new Set<Socket>();
let mode: Mode = 'answers';

const server = http.createServer((req, res) => {
  if (mode === 'hangs') {
    held.add(req.socket);
    req.socket.once('close', () => held.delete(req.socket));
    req.resume();
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
});
server.keepAliveTimeout = 65_000;

/** Resolves once the new mode is in force: a port opened again is listening before the answer. */
async function switchTo(next: Mode): Promise<void> {
  if (next === mode) return;
  if (mode === 'hangs') {
    for (const socket of held) socket.destroy();
    held.clear();
  }
  if (next === 'refuses') {
    server.close();
    server.closeAllConnections();
  } else if (mode === 'refuses') {
    server.listen(port, '127.0.0.1');
    mode = next;
    await listening(server);
    return;
  }
  mode = next;
}

const MODES: readonly string[] = ['answers', 'hangs', 'refuses'] satisfies Mode[];

/** Ports 0 pick free ones; the ports taken are written to stdout as one JSON line. */
function listening(s: http.Server): Promise<number> {
  return new Promise((resolve) => s.once('listening', () => resolve((s.address() as AddressInfo).port)));
}

server.listen(port, '127.0.0.1');
port = await listening(server);
let control: number | undefined;
if (process.env.SINK_CONTROL_PORT) {
  const controller = http
    .createServer((req, res) => {
      const next = req.url?.slice(1) ?? '';
      if (req.method !== 'POST' || !MODES.includes(next)) {
        res.writeHead(404).end();
        return;
      }
      void switchTo(next as Mode).then(() => res.end(next));
    })
    .listen(Number(process.env.SINK_CONTROL_PORT), '127.0.0.1');
  control = await listening(controller);
}
process.stdout.write(`${JSON.stringify({ port, control })}\n`);
