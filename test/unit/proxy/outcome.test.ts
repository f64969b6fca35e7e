import { describe, expect, it } from 'vitest';
import {
  type ClientAnswer,
  type OutcomeFacts,
  outcomeOf,
  upgradeAnswerOf,
} from '../../../src/proxy/outcome.js';
import { failure } from '../../../src/proxy/upstream-errors.js';

const facts = (f: Partial<OutcomeFacts> = {}): OutcomeFacts => ({
  backendStatus: undefined,
  failure: undefined,
  upstreamBroke: false,
  clientStalled: false,
  ...f,
});
const finished = (statusCode: number): ClientAnswer => ({
  writableFinished: true,
  headersSent: true,
  statusCode,
});
/** Headers sent, body not all out. */
const cut = (statusCode: number): ClientAnswer => ({
  writableFinished: false,
  headersSent: true,
  statusCode,
});
/** Nothing sent yet (Node's default status is 200). */
const unanswered: ClientAnswer = { writableFinished: false, headersSent: false, statusCode: 200 };

const http = (f: OutcomeFacts, client: ClientAnswer) => {
  const o = outcomeOf(f, client, '/r', 0.5);
  return [o.status, o.errorType];
};
const websocket = (f: OutcomeFacts) => {
  const o = outcomeOf(f, upgradeAnswerOf(f), '/ws', 0.5);
  return [o.status, o.errorType];
};

describe('outcomeOf, HTTP', () => {
  it('completed: the status sent, and no error type below 500', () => {
    expect(http(facts({ backendStatus: 200 }), finished(200))).toEqual([200, '']);
    expect(http(facts({ backendStatus: 404 }), finished(404))).toEqual([404, '']);
  });

  it('completed with a backend 5xx: the status is the error type', () => {
    expect(http(facts({ backendStatus: 503 }), finished(503))).toEqual([503, '503']);
  });

  it('upstream failure before the headers, answered by the sidecar: its status, the failure kind', () => {
    expect(http(facts({ failure: failure('timeout') }), finished(504))).toEqual([504, 'timeout']);
    expect(http(facts({ failure: failure('connection_refused') }), finished(502))).toEqual([
      502,
      'connection_refused',
    ]);
    // The backend's headers were in, but Node refused to write them.
    expect(
      http(facts({ backendStatus: 200, failure: failure('upstream_protocol_error') }), finished(502)),
    ).toEqual([502, 'upstream_protocol_error']);
  });

  it('upstream failure before the headers, the client gone before the answer was out: the status it was due', () => {
    expect(http(facts({ failure: failure('connect_timeout') }), unanswered)).toEqual([
      504,
      'connect_timeout',
    ]);
  });

  it('upstream failure after the headers: the status sent, upstream_reset', () => {
    const broke = facts({ backendStatus: 200, failure: failure('upstream_reset'), upstreamBroke: true });
    expect(http(broke, cut(200))).toEqual([200, 'upstream_reset']);
  });

  it('upstream_reset seen only at the end (the body stopped, no error raised)', () => {
    expect(http(facts({ backendStatus: 200, upstreamBroke: true }), cut(200))).toEqual([
      200,
      'upstream_reset',
    ]);
    expect(http(facts({ backendStatus: 200, upstreamBroke: true }), unanswered)).toEqual([
      502,
      'upstream_reset',
    ]);
  });

  it('client_timeout: the status being sent, even when the backend side broke off because of it', () => {
    expect(http(facts({ backendStatus: 200, clientStalled: true }), cut(200))).toEqual([
      200,
      'client_timeout',
    ]);
    expect(http(facts({ backendStatus: 200, clientStalled: true, upstreamBroke: true }), cut(200))).toEqual([
      200,
      'client_timeout',
    ]);
  });

  it('client abort: 499, before or after the backend answered', () => {
    expect(http(facts(), unanswered)).toEqual([499, 'client_abort']);
    expect(http(facts({ backendStatus: 200 }), cut(200))).toEqual([499, 'client_abort']);
  });

  it('passes the route and duration through', () => {
    expect(outcomeOf(facts({ backendStatus: 200 }), finished(200), '/api/users/:id', 0.25)).toEqual({
      route: '/api/users/:id',
      status: 200,
      errorType: '',
      durationSeconds: 0.25,
    });
  });
});

describe('outcomeOf, WebSocket', () => {
  it('upgraded: 101, no error, whoever closed the conversation', () => {
    expect(websocket(facts({ backendStatus: 101 }))).toEqual([101, '']);
  });

  it('refused by the backend: its status, no error below 500', () => {
    expect(websocket(facts({ backendStatus: 404 }))).toEqual([404, '']);
  });

  it('backend 5xx: the status is the error type, as on the HTTP path', () => {
    expect(websocket(facts({ backendStatus: 502 }))).toEqual([502, '502']);
    expect(websocket(facts({ backendStatus: 503 }))).toEqual(
      http(facts({ backendStatus: 503 }), finished(503)),
    );
  });

  it('failed to connect or timed out: the status the sidecar answered, the failure kind', () => {
    expect(websocket(facts({ failure: failure('connection_refused') }))).toEqual([502, 'connection_refused']);
    expect(websocket(facts({ failure: failure('timeout') }))).toEqual([504, 'timeout']);
  });

  it('broken off by the backend after the upgrade: 101, the failure kind', () => {
    expect(websocket(facts({ backendStatus: 101, failure: failure('upstream_reset') }))).toEqual([
      101,
      'upstream_reset',
    ]);
  });

  it('client gone before the backend answered: 499 client_abort', () => {
    expect(websocket(facts())).toEqual([499, 'client_abort']);
  });
});
