import http from 'node:http';
import net from 'node:net';

/**
 * The benchmark's Sentry: accepts envelopes on SINK_PORT and answers 200, counting what it got
 * (GET /count). Its own process, so its work never delays the load generator's timers.
 * With SINK_HANG=1, a Sentry that hangs instead: it accepts connections and never answers.
 */
function answering(): http.Server {
  let envelopes = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/count') {
      res.end(JSON.stringify({ envelopes }));
      return;
    }
    req.resume();
    req.on('end', () => {
      envelopes++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function hanging(): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => {});
  });
}

(process.env.SINK_HANG === '1' ? hanging() : answering()).listen(Number(process.env.SINK_PORT), '127.0.0.1');
