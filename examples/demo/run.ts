import { loadConfig } from '../../src/config/config.js';
import { createSidecar } from '../../src/sidecar.js';
import { startDemoBackend } from './backend.js';

/**
 * `npm run demo`: the demo backend, the sidecar in front of it and a little traffic, with no
 * configuration. Ports come from DEMO_BACKEND_PORT, PORT and ADMIN_PORT when set.
 */
async function main(): Promise<void> {
  const backend = await startDemoBackend(Number(process.env.DEMO_BACKEND_PORT ?? 8000));
  const config = loadConfig({
    LOG_LEVEL: 'info',
    ...process.env,
    UPSTREAM_URL: backend.url,
    UPSTREAM_HEALTH_INTERVAL_MS: process.env.UPSTREAM_HEALTH_INTERVAL_MS ?? '2000',
  });
  const sidecar = createSidecar(config);
  const { proxyPort, adminPort } = await sidecar.listen();
  const proxy = `http://127.0.0.1:${proxyPort}`;
  const admin = `http://127.0.0.1:${adminPort}`;
  // The route labels come from the backend's OpenAPI document, which the sidecar loads in the
  // background; the demo traffic waits for it (a few seconds at most) so every label is exact.
  for (let i = 0; i < 50; i++) {
    const text = await (await fetch(`${admin}/metrics`)).text();
    if (/^sidecar_openapi_routes [1-9]/m.test(text)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const paths = [
    '/api/users/1',
    '/api/users/42',
    '/api/users/9999',
    '/api/accounts/ACC-1234567/transactions',
    '/api/payload',
    '/api/slow?ms=120',
    '/api/fail?status=503',
    '/wp-login.php',
    '/api/sse?events=3&interval=50',
  ];
  let sent = 0;
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      paths.map(async (path) => {
        const res = await fetch(proxy + path);
        await res.arrayBuffer();
        sent++;
      }),
    );
  }

  process.stdout.write(
    [
      '',
      `Demo is running. ${sent} requests went through the sidecar already.`,
      '',
      `  Proxy (what nginx would call):  ${proxy}/api/users/42`,
      `                                  ${proxy}/api/slow?ms=500`,
      `                                  ${proxy}/api/fail?status=503`,
      `                                  ${proxy}/api/sse?events=10  (server-sent events)`,
      `                                  ws://127.0.0.1:${proxyPort}/ws/echo  (WebSocket echo)`,
      `  Prometheus metrics:             ${admin}/metrics`,
      `  Health / readiness:             ${admin}/health  ${admin}/ready`,
      '',
      'Try:  curl -s ' + `${admin}/metrics | grep http_server_request_duration_seconds_count`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  const stop = async () => {
    await sidecar.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (process.env.DEMO_EXIT_AFTER_MS) setTimeout(() => void stop(), Number(process.env.DEMO_EXIT_AFTER_MS));
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
