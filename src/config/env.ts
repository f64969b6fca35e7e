/**
 * Small, composable readers for environment variables. Each reader returns a value or records a
 * problem naming the variable, the value and the rule, so `loadConfig` can report every problem
 * at once instead of failing on the first.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  variable: string;
  value: string | undefined;
  rule: string;
}

export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** Every variable name asked for: the settings, for unknownSettings(). */
  readonly names = new Set<string>();

  /** The raw value, with surrounding whitespace removed; empty counts as unset. */
  raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  problem(variable: string, value: string | undefined, rule: string): void {
    this.problems.push({ variable, value, rule });
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `must be a number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    this.problem(name, value, 'must be true or false (also accepted: 1/0, yes/no, on/off)');
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      this.problem(name, value, `must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return lower;
  }

  /** A comma-separated list; empty items are dropped. */
  list(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  url(name: string, protocols: readonly string[], required: true): URL | undefined;
  url(name: string, protocols: readonly string[], required: false): URL | undefined;
  url(name: string, protocols: readonly string[], required: boolean): URL | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      if (required) this.problem(name, value, `is required (a ${protocols.join(' or ')} URL)`);
      return undefined;
    }
    const why = urlProblem(value, protocols);
    if (why !== undefined) {
      this.problem(name, value, why);
      return undefined;
    }
    return new URL(value);
  }
}

/**
 * What is wrong with a URL setting, with the likely fix: the mistakes people make are a missing
 * scheme (`localhost:8001`, which URL parsing reads as the scheme `localhost:`), a port out of
 * range, and another scheme.
 */
function urlProblem(value: string, protocols: readonly string[]): string | undefined {
  const allowed = protocols.join(' or ');
  const schemeless = !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const port = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)/i.exec(value)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535))
    return `port ${port} is out of range (1 to 65535)`;
  if (schemeless) {
    const guess = `${protocols[0]}://${value.replace(/^\/+/, '')}`;
    return URL.canParse(guess) ? `no scheme; did you mean ${guess}?` : `must be an absolute ${allowed} URL`;
  }
  if (!URL.canParse(value)) return `must be an absolute ${allowed} URL`;
  const scheme = new URL(value).protocol.slice(0, -1);
  if (!protocols.includes(scheme)) return `must use ${allowed}, not ${scheme}`;
  return undefined;
}
