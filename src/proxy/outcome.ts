/**
 * How a finished exchange is recorded: the status the client got and the `error_type` label
 * (docs/METRICS.md). One set of rules for HTTP requests and WebSocket upgrades, so a backend 502
 * reads the same whichever way the client came.
 */

/** What a finished exchange looked like to the client, as recorded in metrics. */
export interface ExchangeOutcome {
  readonly route: string;
  readonly status: number;
  readonly errorType: string;
  readonly durationSeconds: number;
}

/** As nginx records a client that closed the connection before the response was complete. */
export const CLIENT_ABORT_STATUS = 499;

/** What the exchange saw of the backend and of the client on the way (the Exchange has them). */
export interface OutcomeFacts {
  /** The status the backend answered, once its headers arrived. */
  readonly backendStatus: number | undefined;
  /** A failure the sidecar answered for, or saw after the headers were sent. */
  readonly failure: { readonly errorType: string; readonly status: number } | undefined;
  /** The backend's response body broke off before its end. */
  readonly upstreamBroke: boolean;
  /** The client read nothing of the response within CLIENT_SEND_TIMEOUT_MS and was cut off. */
  readonly clientStalled: boolean;
}

/** How far the answer to the client got. A `ServerResponse` is one. */
export interface ClientAnswer {
  /** All of it was handed to the operating system. */
  readonly writableFinished: boolean;
  readonly headersSent: boolean;
  /** The status sent, or about to be. */
  readonly statusCode: number;
}

/**
 * The outcome of an exchange. A pure function of what the exchange saw; `route` and
 * `durationSeconds` are passed through so that the one object observers get is the only one
 * made per request.
 *
 * An `upstream_reset` without a `failure` is a broken body noticed only now: the caller counts it
 * as an upstream failure.
 */
export function outcomeOf(
  facts: OutcomeFacts,
  client: ClientAnswer,
  route: string,
  durationSeconds: number,
): ExchangeOutcome {
  let status: number;
  let errorType: string;
  if (client.writableFinished) {
    status = client.statusCode;
    errorType = facts.failure?.errorType ?? (status >= 500 ? String(status) : '');
  } else if (facts.clientStalled) {
    // As nginx's send_timeout: the status being sent, with the reason it was cut.
    status = client.statusCode;
    errorType = 'client_timeout';
  } else if (facts.upstreamBroke || facts.failure) {
    status = client.headersSent ? client.statusCode : (facts.failure?.status ?? 502);
    errorType = facts.failure?.errorType ?? 'upstream_reset';
  } else {
    status = CLIENT_ABORT_STATUS;
    errorType = 'client_abort';
  }
  return { route, status, errorType, durationSeconds };
}

/**
 * What the client of a WebSocket upgrade was answered: the backend's `101` or its refusal, which
 * http-proxy-middleware relays, or the sidecar's failure answer. There is no response object to
 * ask: once either answer began, it is what the client got.
 */
export function upgradeAnswerOf(facts: OutcomeFacts): ClientAnswer {
  const status = facts.backendStatus ?? facts.failure?.status;
  const answered = status !== undefined;
  return { writableFinished: answered, headersSent: answered, statusCode: status ?? 0 };
}
