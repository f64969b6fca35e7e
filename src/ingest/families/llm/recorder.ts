import { labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { HistogramSeries, varying } from '../series.js';
import { LLM_METRICS } from './metrics.js';

export function createLlmRecorders({ registry, budgets }: RecorderContext): RecorderMap<'llm.request'> {
  const duration = new HistogramSeries(labeledHistogram(registry, LLM_METRICS.duration));
  const tokens = new HistogramSeries(
    labeledHistogram(registry, LLM_METRICS.tokens),
    varying(3, ['input', 'output']),
  );
  const firstChunk = new HistogramSeries(labeledHistogram(registry, LLM_METRICS.firstChunk));
  const provider = budgets.field('llm.request', 'provider');
  const model = budgets.field('llm.request', 'model');
  const errorType = budgets.field('llm.request', 'error_type');

  return {
    'llm.request'(e) {
      const p = provider.admit(e.provider);
      const m = model.admit(e.model);
      const err = e.error_type === undefined ? '' : errorType.admit(e.error_type);
      duration.observe([e.operation, p, m, err], e.duration_s);
      if (e.input_tokens !== undefined) tokens.observe([e.operation, p, m, 'input'], e.input_tokens);
      if (e.output_tokens !== undefined) tokens.observe([e.operation, p, m, 'output'], e.output_tokens);
      if (e.time_to_first_chunk_s !== undefined)
        firstChunk.observe([e.operation, p, m], e.time_to_first_chunk_s);
    },
  };
}
