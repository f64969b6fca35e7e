/**
 * Environment variables that look meant for the sidecar but are not among its settings: a typo
 * (`UPSTREM_URL`) or a setting of another version. Such a variable is silently ignored by
 * whatever reads the environment, so the sidecar names it at start and in --check-config,
 * with the setting it probably meant.
 */

/** Prefixes no other program's variables use beside the sidecar's. */
const OWN_PREFIXES = [
  'UPSTREAM_',
  'OPENAPI_',
  'INGEST_',
  'ROUTE_',
  'ADMIN_',
  'SYSTEM_METRICS_',
  'BACKEND_PROCESS_',
];

/** Optimal string alignment distance (Levenshtein with adjacent swaps), capped at `max + 1`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The closest setting within a typo's reach, if any. Short names are left alone: `HOME` is one
 * letter from `HOST`, and every environment has one.
 */
function closest(name: string, settings: ReadonlySet<string>): string | undefined {
  if (name.length < 7 || !name.includes('_')) return undefined;
  const reach = name.length >= 10 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = reach + 1;
  for (const setting of settings) {
    const d = distance(name, setting, reach);
    if (d < bestDistance) {
      best = setting;
      bestDistance = d;
    }
  }
  return best;
}

/** A warning for each variable of `env` that is not a setting but looks meant as one. */
export function unknownSettings(
  env: Readonly<Record<string, string | undefined>>,
  settings: ReadonlySet<string>,
): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (settings.has(name) || env[name] === undefined) continue;
    const meant = closest(name, settings);
    if (meant !== undefined) {
      warnings.push(`${name} is not a setting and is ignored; did you mean ${meant}?`);
    } else if (OWN_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      warnings.push(`${name} is not a setting and is ignored (docs/CONFIGURATION.md lists them all)`);
    }
  }
  return warnings;
}
