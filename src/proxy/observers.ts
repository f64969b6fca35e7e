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
    this.notify(this.forwardingHooks, 'forwarding', req, ex, undefined);
  }

  upstreamResponse(req: IncomingMessage, ex: Exchange, proxyRes: IncomingMessage): void {
    this.notify(this.responseHooks, 'upstreamResponse', req, ex, proxyRes);
  }

  finished(req: IncomingMessage, ex: Exchange, outcome: ExchangeOutcome): void {
    this.notify(this.finishedHooks, 'finished', req, ex, outcome);
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

  private notify(
    hooks: readonly ExchangeObserver[],
    hook: 'forwarding' | 'upstreamResponse' | 'finished',
    req: IncomingMessage,
    ex: Exchange,
    arg: IncomingMessage | ExchangeOutcome | undefined,
  ): void {
    for (const o of hooks) {
      try {
        (o[hook] as (req: IncomingMessage, ex: Exchange, arg: unknown) => void).call(o, req, ex, arg);
      } catch (error) {
        this.failed(hook, error);
      }
    }
  }

  private failed(hook: string, error: unknown): void {
    this.logger.warn({ err: error, hook }, 'observer failed; the request goes on');
  }
}
