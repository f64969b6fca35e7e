/**
 * The package's programmatic entry (`import { createSidecar } from 'observability-sidecar'`):
 * run the sidecar inside another Node program, for example a test harness or a custom launcher.
 * The command-line entry is `main.ts`; Node backends that push events use
 * `observability-sidecar/client`.
 */
export { type Config, ConfigError, DEFAULTS, loadConfig } from './config/config.js';
export type { Env } from './config/env.js';
export { createLogger, type Logger } from './log/logger.js';
export { createSidecar, type Sidecar, type SidecarDeps } from './sidecar.js';
export { VERSION } from './version.js';
