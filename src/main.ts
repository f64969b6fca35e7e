#!/usr/bin/env node
import { portProblems } from './check-ports.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ListenError } from './listen-error.js';
import { createLogger } from './log/logger.js';
import { createSidecar } from './sidecar.js';

const USAGE = `usage: observability-sidecar [--check-config]
       observability-sidecar top [--admin URL] [--once]

Runs the sidecar, configured by environment variables (docs/CONFIGURATION.md).
  --check-config  validate the configuration and exit: 0 when valid, 2 with every problem listed,
                  1 when a port it would listen on is taken or not permitted
  top             the route table of a running sidecar's status page, refreshing, in the
                  terminal; --admin is its admin port (default http://127.0.0.1:9464), --once
                  prints it once
`;

/** Process entry: arguments, configuration, listening, signals. Everything else is in createSidecar. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (args[0] === 'top') {
    const { runTop } = await import('./status/top.js');
    process.exitCode = await runTop(args.slice(1));
    return;
  }
  const checkOnly = args.includes('--check-config');
  const unknown = args.filter((a) => a !== '--check-config');
  if (unknown.length > 0) {
    process.stderr.write(`observability-sidecar: unknown argument ${unknown.join(' ')}\n${USAGE}`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`observability-sidecar: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (checkOnly) {
    for (const warning of config.warnings)
      process.stdout.write(`observability-sidecar: warning: ${warning}\n`);
    const ports = await portProblems(config);
    if (ports.length > 0) {
      process.stderr.write(
        `observability-sidecar: cannot listen:\n${ports.map((p) => `  - ${p}`).join('\n')}\n`,
      );
      process.exit(1);
    }
    process.stdout.write(
      `observability-sidecar: configuration is valid: proxy ${config.proxy.host}:${config.proxy.port} → ${config.upstream.url.href}, admin ${config.admin.host}:${config.admin.port}\n`,
    );
    return;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  const sidecar = createSidecar(config, { logger });
  try {
    await sidecar.listen();
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`observability-sidecar: cannot start: ${error.message}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    sidecar
      .close()
      .then(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A bug in an observer must not take the proxy down with it; it is logged and counted instead.
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `observability-sidecar: failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
