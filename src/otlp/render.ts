import {
  type ExpositionFormat,
  type ExtraFamilies,
  escapeLabelValue,
  familyHead,
  formatNumber,
} from '../metrics/exposition.js';
import type { Family, Series, SeriesStore } from './series-store.js';

/**
 * The OTLP series as exposition lines, for /metrics (metrics/exposition.ts): a family that
 * shares its name with an event-catalog family joins that family's block; the others follow
 * the registry's families, each with its HELP and TYPE. `target_info` is an `info` family in
 * OpenMetrics and a gauge in the Prometheus text format, as the compatibility specification says.
 */

const labelText = new WeakMap<Series, string>();

/** `a="x",b="y"`, escaped once per series. */
function pairs(series: Series): string {
  let text = labelText.get(series);
  if (text === undefined) {
    text = series.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
    labelText.set(series, text);
  }
  return text;
}

function samples(family: Family, sampleName: string, lines: string[]): void {
  for (const series of family.series.values()) {
    const labels = pairs(series);
    const braces = labels ? `{${labels}}` : '';
    const rest = labels ? `,${labels}` : '';
    const data = series.data;
    if (data.kind === 'number') {
      lines.push(`${sampleName}${braces} ${formatNumber(data.value)}`);
    } else if (data.kind === 'buckets') {
      let cumulative = 0;
      data.bounds.forEach((bound, i) => {
        cumulative += data.counts[i]!;
        lines.push(`${family.name}_bucket{le="${formatNumber(bound)}"${rest}} ${cumulative}`);
      });
      lines.push(`${family.name}_bucket{le="+Inf"${rest}} ${data.count}`);
      if (data.sum !== undefined) lines.push(`${family.name}_sum${braces} ${formatNumber(data.sum)}`);
      lines.push(`${family.name}_count${braces} ${data.count}`);
    } else {
      for (const [q, v] of data.quantiles)
        lines.push(`${family.name}{quantile="${formatNumber(q)}"${rest}} ${formatNumber(v)}`);
      lines.push(`${family.name}_sum${braces} ${formatNumber(data.sum)}`);
      lines.push(`${family.name}_count${braces} ${data.count}`);
    }
  }
}

function sampleName(family: Family, format: ExpositionFormat): string {
  return familyHead(family, format).sample;
}

export function otlpFamilies(store: SeriesStore): ExtraFamilies {
  return {
    samplesOf(name, format) {
      const family = store.family(name);
      if (family === undefined) return undefined;
      const lines: string[] = [];
      samples(family, sampleName(family, format), lines);
      return lines;
    },
    families(format, taken) {
      const lines: string[] = [];
      for (const family of store.all()) {
        if (taken.has(family.name)) continue;
        if (family.name === 'target_info' && format === 'openmetrics') {
          lines.push(`# HELP target ${family.help}`, '# TYPE target info');
          samples(family, 'target_info', lines);
          continue;
        }
        const head = familyHead(family, format);
        lines.push(...head.lines);
        samples(family, head.sample, lines);
      }
      return lines;
    },
  };
}
