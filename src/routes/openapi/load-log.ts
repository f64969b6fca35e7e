import type { Logger } from '../../log/logger.js';
import type { GoodDocument, Look } from './look.js';

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function templates(n: number): string {
  return `${n} route template${n === 1 ? '' : 's'}`;
}

/**
 * The log lines of OpenAPI discovery: one per change of state, never one per look, so a backend
 * that stays down or keeps serving the same bad document is reported once.
 */
export class LoadLog {
  /** The state last reported. */
  private state: string | undefined;

  constructor(private readonly logger: Logger) {}

  /** A new document is in force. */
  loaded(document: GoodDocument): void {
    this.state = `good ${document.hash}`;
    const { url, version, refusedCount } = document;
    const n = document.templates.length;
    this.logger.info(
      { url, templates: n, version },
      `OpenAPI document at ${url}: ${templates(n)} (${version})`,
    );
    if (refusedCount > 0) {
      const named = document.refused.map((r) => `${r.key} ${r.reason}`).join('; ');
      this.logger.warn(
        { url, refused: refusedCount },
        `OpenAPI document at ${url}: ${refusedCount} path${refusedCount === 1 ? ' is' : 's are'} not a path template and left out: ${named}`,
      );
    }
  }

  /** The document in force is served as it was. */
  unchanged(document: GoodDocument): void {
    const state = `good ${document.hash}`;
    if (this.state !== state) {
      this.logger.info(
        { url: document.url },
        `OpenAPI document at ${document.url} is served again, unchanged`,
      );
    }
    this.state = state;
  }

  /** A look found no usable document; `delayMs` until the next. */
  failed(look: Extract<Look, { reason: string }>, inForce: GoodDocument | undefined, delayMs: number): void {
    const state = `${look.outcome} ${look.url} ${look.reason}`;
    if (this.state === state) return;
    this.state = state;
    const { url, outcome, reason } = look;
    const kept = inForce
      ? `the last good document (${templates(inForce.templates.length)}) stays in force`
      : 'no document is in force';
    const again = delayMs > 0 ? `; looking again in ${seconds(delayMs)}` : '';
    const fields = { url, outcome, reason };
    if (outcome === 'not_found') {
      // A backend without a document is normal (routes are then learned from traffic).
      this.logger[inForce ? 'warn' : 'info'](
        fields,
        `No OpenAPI document at ${url}: ${reason}; ${kept}${again}, less often while this lasts`,
      );
    } else if (outcome === 'fetch_error') {
      this.logger.warn(
        fields,
        `OpenAPI document at ${url} could not be fetched: ${reason}; ${kept}${again}, less often while this lasts`,
      );
    } else {
      this.logger.warn(fields, `OpenAPI document at ${url} refused: ${reason}; ${kept}${again}`);
    }
  }
}
