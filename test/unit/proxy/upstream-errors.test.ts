import { describe, expect, it } from 'vitest';
import {
  CONNECT_TIMEOUT_CODE,
  classifyUpstreamError,
  TIMEOUT_CODE,
  timeoutError,
} from '../../../src/proxy/upstream-errors.js';

const error = (code: string) => Object.assign(new Error(code), { code });

describe('classifyUpstreamError', () => {
  it.each([
    [TIMEOUT_CODE, 'timeout', 504],
    // http-proxy-middleware's deadline for a WebSocket upgrade (set to UPSTREAM_TIMEOUT_MS)
    ['ERR_UPSTREAM_UPGRADE_TIMEOUT', 'timeout', 504],
    [CONNECT_TIMEOUT_CODE, 'connect_timeout', 504],
    ['ETIMEDOUT', 'connect_timeout', 504],
    ['ECONNREFUSED', 'connection_refused', 502],
    ['ENOTFOUND', 'dns_failure', 502],
    ['EAI_AGAIN', 'dns_failure', 502],
    ['ECONNRESET', 'upstream_reset', 502],
    ['EPIPE', 'upstream_reset', 502],
    ['HPE_INVALID_CONSTANT', 'upstream_protocol_error', 502],
    ['EHOSTUNREACH', 'upstream_unreachable', 502],
  ])('%s → %s (%i)', (code, errorType, status) => {
    const f = classifyUpstreamError(error(code));
    expect([f.errorType, f.status]).toEqual([errorType, status]);
  });

  it('reads the deadlines the sidecar raises itself', () => {
    expect(classifyUpstreamError(timeoutError(TIMEOUT_CODE, 100)).errorType).toBe('timeout');
    expect(timeoutError(TIMEOUT_CODE, 100).message).toContain('100 ms');
  });
});
