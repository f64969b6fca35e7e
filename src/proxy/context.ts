import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.js';
import type { HttpMetrics } from '../http-metrics/http-metrics.js';
import type { Logger } from '../log/logger.js';
import type { PortTraffic } from './drain.js';
import type { ObserverHooks } from './observers.js';
import type { RouteResolver } from './route-resolver.js';
import type { ViaMark } from './via.js';

/** What every part of the proxy port shares, made once by createProxyPort(). */
export interface ProxyContext {
  readonly config: Config;
  readonly metrics: HttpMetrics;
  readonly routes: RouteResolver;
  readonly logger: Logger;
  readonly observers: ObserverHooks;
  readonly traffic: PortTraffic;
  readonly via: ViaMark;
  /** Hands a request to http-proxy-middleware once more (resend.ts decides when). */
  resend: (req: IncomingMessage, res: ServerResponse) => void;
}
