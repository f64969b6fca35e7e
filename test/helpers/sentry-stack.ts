import { type FailingBackend, startFailingBackend } from '../fixtures/failing-backend.js';
import { type SentrySink, startSentrySink } from './sentry-sink.js';
import { type RunningSidecar, startSidecar } from './sidecar.js';

export interface SentryStack {
  readonly sink: SentrySink;
  readonly backend: FailingBackend;
  readonly stack: RunningSidecar;
  /** Stops the sidecar, the backend and the sink, in that order. */
  stop(): Promise<void>;
}

/** An envelope sink, the failing backend and a sidecar in front of it reporting to the sink. */
export async function startSentryStack(env: Record<string, string>): Promise<SentryStack> {
  const sink = await startSentrySink();
  const backend = await startFailingBackend();
  const stack = await startSidecar(backend.url, { SENTRY_DSN: sink.dsn, ...env });
  return {
    sink,
    backend,
    stack,
    async stop() {
      await stack.close();
      await backend.close();
      await sink.kill();
    },
  };
}
