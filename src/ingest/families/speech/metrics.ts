import { declareMetrics } from '../../../metrics/declaration.js';

/** `speech.request`. */
export const SPEECH_METRICS = declareMetrics({
  duration: {
    name: 'app_speech_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of speech-to-text and text-to-speech requests, fallbacks included.',
    labelNames: ['operation', 'provider', 'outcome'],
    // 50 ms to 2 min.
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
  },
  audio: {
    name: 'app_speech_audio_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Seconds of audio recognised or synthesised per request; its _sum is the audio volume.',
    labelNames: ['operation', 'provider'],
    // Length of the audio processed or produced: 1 s to 1 h.
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600],
  },
  fallbacks: {
    name: 'app_speech_provider_fallbacks_total',
    type: 'counter',
    help: 'Times a speech request moved from one provider to the next.',
    labelNames: ['operation', 'from_provider', 'to_provider'],
  },
});
