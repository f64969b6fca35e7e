import { labeledCounter, labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { successOrError } from '../schema-fields.js';
import { CounterSeries, HistogramSeries, varying } from '../series.js';
import { SPEECH_METRICS } from './metrics.js';

export function createSpeechRecorders({ registry, budgets }: RecorderContext): RecorderMap<'speech.request'> {
  const duration = new HistogramSeries(
    labeledHistogram(registry, SPEECH_METRICS.duration),
    varying(2, successOrError),
  );
  const audio = new HistogramSeries(labeledHistogram(registry, SPEECH_METRICS.audio));
  const fallbacks = new CounterSeries(labeledCounter(registry, SPEECH_METRICS.fallbacks));
  const provider = budgets.field('speech.request', 'provider');

  return {
    'speech.request'(e) {
      const p = provider.admit(e.provider);
      duration.observe([e.operation, p, e.outcome], e.duration_s);
      if (e.audio_s !== undefined) audio.observe([e.operation, p], e.audio_s);
      const chain = e.providers_attempted;
      if (chain !== undefined) {
        for (let i = 1; i < chain.length; i++) {
          fallbacks.inc([e.operation, provider.admit(chain[i - 1]!), provider.admit(chain[i]!)]);
        }
      }
    },
  };
}
