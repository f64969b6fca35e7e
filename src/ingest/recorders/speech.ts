import { AUDIO_DURATION_BUCKETS, SPEECH_DURATION_BUCKETS } from '../../metrics/buckets.js';
import { successOrError } from '../catalog/common.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, HistogramSeries, LabeledCounter, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createSpeechRecorders({ registry, budgets }: RecorderContext): RecorderMap<'speech.request'> {
  const durationLabels = ['operation', 'provider', 'outcome'];
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.speechDuration,
      help: 'Duration of speech-to-text and text-to-speech requests, fallbacks included.',
      labelNames: durationLabels,
      buckets: [...SPEECH_DURATION_BUCKETS],
      registry,
    }),
    varying(2, successOrError),
  );
  const audio = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.speechAudio,
      help: 'Seconds of audio recognised or synthesised per request; its _sum is the audio volume.',
      labelNames: ['operation', 'provider'],
      buckets: [...AUDIO_DURATION_BUCKETS],
      registry,
    }),
  );
  const fallbacks = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.speechFallbacks,
      help: 'Times a speech request moved from one provider to the next.',
      labelNames: ['operation', 'from_provider', 'to_provider'],
      registry,
    }),
  );
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
