import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { Exchange } from './exchange.js';
import type { ExchangeOutcome } from './outcome.js';

/**
 * Extension points for other subsystems (Sentry, access logs). Each call is guarded: an
 * observer that throws is logged and the request goes on untouched.
 */
export interface ExchangeObserver {
  /** Just before the request leaves for the backend; may add headers to `req.headers`. */
  forwarding?(req: IncomingMessage, exchange: Exchange): void;
  /** Once, when the client connection for this exchange is done. */
  finished?(req: IncomingMessage, exchange: Exchange, outcome: ExchangeOutcome): void;
  /** Exemplar labels for the duration observation (e.g. a trace id), if any. */
  exemplar?(exchange: Exchange): Record<string, string> | undefined;
  /** When the backend's response headers arrive; may listen to `proxyRes` data, never consume it. */
  upstreamResponse?(req: IncomingMessage, exchange: Exchange, proxyRes: IncomingMessage): void;
}

/**
 * The observers' hooks, each called on every observer that has it, guarded. The lists are made
 * once: most configurations leave some hooks out, and these run per request. The guard is a
 * try/catch in the loop rather than a wrapping function, which would be a closure per call.
 */
export class ObserverHooks {
  private readonly forwardingHooks: readonly ExchangeObserver[];
  private readonly responseHooks: readonly ExchangeObserver[];
  private readonly exemplarHooks: readonly ExchangeObserver[];
  private readonly finishedHooks: readonly ExchangeObserver[];

  constructor(
    observers: readonly ExchangeObserver[],
    private readonly logger: Logger,
  ) {
    this.forwardingHooks = observers.filter((o) => o.forwarding !== undefined);
    this.responseHooks = observers.filter((o) => o.upstreamResponse !== undefined);
    this.exemplarHooks = observers.filter((o) => o.exemplar !== undefined);
    this.finishedHooks = observers.filter((o) => o.finished !== undefined);
  }

  forwarding(req: IncomingMessage, ex: Exchange): void {
    for (const o of this.forwardingHooks) {
      try {
        o.forwarding!(req, ex);
      } catch (error) {
        this.failed('forwarding', error);
      }
    }
  }

  upstreamResponse(req: IncomingMessage, ex: Exchange, proxyRes: IncomingMessage): void {
    for (const o of this.responseHooks) {
      try {
        o.upstreamResponse!(req, ex, proxyRes);
      } catch (error) {
        this.failed('upstreamResponse', error);
      }
    }
  }

  /** The first observer's exemplar labels, if any has some. */
  exemplar(ex: Exchange): Record<string, string> | undefined {
    for (const o of this.exemplarHooks) {
      try {
        const labels = o.exemplar!(ex);
        if (labels !== undefined) return labels;
      } catch (error) {
        this.failed('exemplar', error);
      }
    }
    return undefined;
  }

  finished(req: IncomingMessage, ex: Exchange, outcome: ExchangeOutcome): void {
    for (const o of this.finishedHooks) {
      try {
        o.finished!(req, ex, outcome);
      } catch (error) {
        this.failed('finished', error);
      }
    }
  }

  private failed(hook: string, error: unknown): void {
    this.logger.warn({ err: error, hook }, 'observer failed; the request goes on');
  }
}
