#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './log/logger.js';
import { createSidecar } from './sidecar.js';

/** Process entry: configuration, listening, signals. Everything else is in createSidecar. */
async function main(): Promise<void> {
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
  const logger = createLogger(config.logLevel);
  const sidecar = createSidecar(config, { logger });
  await sidecar.listen();

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
