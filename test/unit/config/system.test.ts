import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { COLLECTOR_NAMES, parseTlsProbeTarget } from '../../../src/config/system.js';
import {
  matchingRoots,
  type ProcessEntry,
  parseBootTime,
  parseCmdline,
  parseStat,
  processTree,
} from '../../../src/system/process-table.js';

describe('process table', () => {
  it('reads ppid and start time even when the command name holds spaces and parentheses', () => {
    const stat =
      '4242 (my (weird) app) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 10000 200';
    expect(parseStat(stat)).toEqual({ ppid: 17, startTicks: 987654 });
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseBootTime('cpu 1 2 3\nbtime 1700000000\nprocesses 5\n')).toBe(1_700_000_000);
  });

  it('joins NUL-separated arguments', () => {
    expect(parseCmdline('python\0-m\0uvicorn\0app:app\0')).toBe('python -m uvicorn app:app');
  });

  const table: ProcessEntry[] = [
    { pid: 1, ppid: 0, startTicks: 1, command: 'tini -- sh' },
    { pid: 10, ppid: 1, startTicks: 2, command: 'gunicorn app:app --workers 2' },
    { pid: 11, ppid: 10, startTicks: 3, command: 'gunicorn app:app --workers 2' },
    { pid: 12, ppid: 10, startTicks: 3, command: 'gunicorn app:app --workers 2' },
    { pid: 13, ppid: 12, startTicks: 4, command: 'python helper.py' },
    { pid: 20, ppid: 1, startTicks: 5, command: 'node sidecar.js --note gunicorn' },
  ];

  it('matches the outermost matching processes, never the sidecar itself', () => {
    expect(matchingRoots(table, /gunicorn/, 20)).toEqual([10]);
    expect(matchingRoots(table, /nothing-like-this/, 20)).toEqual([]);
  });

  it('takes a process with all its descendants, leaving the sidecar out', () => {
    expect(processTree(table, [10]).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree(table, [999])).toEqual([]);
    expect(processTree(table, [1], 20).sort((a, b) => a - b)).toEqual([1, 10, 11, 12, 13]);
  });
});

describe('system configuration', () => {
  const base = { UPSTREAM_URL: 'http://backend:8000' };

  it('defaults: every collector on, 15 s interval, 5 s timeout, no backend or certificates', () => {
    const { system } = loadConfig(base);
    expect(system.intervalMs).toBe(15_000);
    expect(system.timeoutMs).toBe(5_000);
    for (const name of COLLECTOR_NAMES) expect(system.collectors[name]).toBe(true);
    expect(system.backendProcess).toBeUndefined();
    expect(system.tlsCertFiles).toEqual([]);
    expect(system.tlsProbeTargets).toEqual([]);
  });

  it('bounds the default timeout by a short interval; switches and the master switch', () => {
    const system = loadConfig({
      ...base,
      SYSTEM_METRICS_INTERVAL_MS: '200',
      SYSTEM_METRICS_DISK: 'off',
    }).system;
    expect(system.timeoutMs).toBe(200);
    expect(system.collectors.disk).toBe(false);
    expect(system.collectors.host).toBe(true);
    const off = loadConfig({ ...base, SYSTEM_METRICS_ENABLED: 'false' }).system;
    expect(Object.values(off.collectors).every((on) => !on)).toBe(true);
  });

  it('reads each way of finding the backend', () => {
    expect(loadConfig({ ...base, BACKEND_PID: '123' }).system.backendProcess).toEqual({
      kind: 'pid',
      pid: 123,
    });
    expect(loadConfig({ ...base, BACKEND_PID_FILE: '/run/app.pid' }).system.backendProcess).toEqual({
      kind: 'pid_file',
      path: '/run/app.pid',
    });
    const match = loadConfig({ ...base, BACKEND_PROCESS_MATCH: 'uvicorn|gunicorn' }).system.backendProcess;
    expect(match?.kind === 'match' && match.pattern.test('python -m uvicorn app:app')).toBe(true);
  });

  it('reports every problem of the section at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        ...base,
        SYSTEM_METRICS_INTERVAL_MS: '5',
        SYSTEM_METRICS_HOST: 'maybe',
        BACKEND_PID: 'abc',
        BACKEND_PROCESS_MATCH: '([unclosed',
        TLS_PROBE_TARGETS: 'nginx:443,nginx:99999,::1:443',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = error!.problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining([
        'SYSTEM_METRICS_INTERVAL_MS',
        'SYSTEM_METRICS_HOST',
        'BACKEND_PID',
        'BACKEND_PROCESS_MATCH',
        'TLS_PROBE_TARGETS',
      ]),
    );
    expect(error!.problems.filter((p) => p.variable === 'TLS_PROBE_TARGETS')).toHaveLength(2);
  });

  it('refuses more than one way of finding the backend', () => {
    expect(() => loadConfig({ ...base, BACKEND_PID: '1', BACKEND_PID_FILE: '/run/app.pid' })).toThrow(
      /set only one of BACKEND_PID, BACKEND_PID_FILE and BACKEND_PROCESS_MATCH/,
    );
  });

  it('parses TLS probe targets with default port, IPv6 and an explicit SNI name', () => {
    expect(parseTlsProbeTarget('nginx')).toMatchObject({ host: 'nginx', port: 443, servername: 'nginx' });
    expect(parseTlsProbeTarget('127.0.0.1:8443')).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      servername: undefined,
    });
    expect(parseTlsProbeTarget('[::1]:8443')).toMatchObject({
      host: '::1',
      port: 8443,
      servername: undefined,
    });
    expect(parseTlsProbeTarget('example.com@nginx:443')).toEqual({
      host: 'nginx',
      port: 443,
      servername: 'example.com',
      source: 'example.com@nginx:443',
    });
    expect(() => parseTlsProbeTarget('@nginx:443')).toThrow();
    expect(() => parseTlsProbeTarget('https://nginx/')).toThrow();
  });
});
