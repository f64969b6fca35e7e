import { AMOUNT_BUCKETS, BODY_SIZE_BUCKETS, INTERACTION_DURATION_BUCKETS } from '../../metrics/buckets.js';
import { TRANSACTION_OUTCOMES } from '../catalog/business.js';
import { successOrError } from '../catalog/common.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, HistogramSeries, LabeledCounter, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

type BusinessType = 'chat.message' | 'voice.interaction' | 'document.upload' | 'transaction';

export function createBusinessRecorders({ registry, budgets }: RecorderContext): RecorderMap<BusinessType> {
  const counter = (name: string, help: string, labelNames: string[], outcomes: readonly string[]) =>
    new CounterSeries(new LabeledCounter({ name, help, labelNames, registry }), varying(2, outcomes));

  const chat = counter(
    INGEST_METRICS.chatMessages,
    'Chat messages by author role, channel and outcome.',
    ['role', 'channel', 'outcome'],
    successOrError,
  );
  const voice = counter(
    INGEST_METRICS.voiceInteractions,
    'Voice interactions by kind, channel and outcome.',
    ['kind', 'channel', 'outcome'],
    successOrError,
  );
  const voiceDuration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.voiceDuration,
      help: 'Duration of voice interactions.',
      labelNames: ['kind', 'channel'],
      buckets: [...INTERACTION_DURATION_BUCKETS],
      registry,
    }),
  );
  const uploads = counter(
    INGEST_METRICS.documentUploads,
    'Document uploads by document type, channel and outcome.',
    ['document_type', 'channel', 'outcome'],
    successOrError,
  );
  const uploadSize = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.documentUploadSize,
      help: 'Size of uploaded documents.',
      labelNames: ['document_type'],
      buckets: [...BODY_SIZE_BUCKETS],
      registry,
    }),
  );
  const transactions = counter(
    INGEST_METRICS.transactions,
    'Business transactions by type, channel and outcome (success, declined, error).',
    ['transaction_type', 'channel', 'outcome'],
    TRANSACTION_OUTCOMES,
  );
  const amount = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.transactionAmount,
      help: 'Amounts of successful transactions in the major currency unit; _sum is the volume per currency.',
      labelNames: ['transaction_type', 'currency'],
      buckets: [...AMOUNT_BUCKETS],
      registry,
    }),
  );

  const chatChannel = budgets.field('chat.message', 'channel');
  const voiceKind = budgets.field('voice.interaction', 'kind');
  const voiceChannel = budgets.field('voice.interaction', 'channel');
  const uploadType = budgets.field('document.upload', 'document_type');
  const uploadChannel = budgets.field('document.upload', 'channel');
  const transactionType = budgets.field('transaction', 'transaction_type');
  const transactionChannel = budgets.field('transaction', 'channel');
  const currency = budgets.field('transaction', 'currency');
  const optional = (budget: { admit(v: string): string }, value: string | undefined) =>
    value === undefined ? '' : budget.admit(value);

  return {
    'chat.message'(e) {
      chat.inc([e.role, optional(chatChannel, e.channel), e.outcome]);
    },
    'voice.interaction'(e) {
      const k = optional(voiceKind, e.kind);
      const c = optional(voiceChannel, e.channel);
      voice.inc([k, c, e.outcome]);
      if (e.duration_s !== undefined) voiceDuration.observe([k, c], e.duration_s);
    },
    'document.upload'(e) {
      const t = uploadType.admit(e.document_type);
      uploads.inc([t, optional(uploadChannel, e.channel), e.outcome]);
      if (e.bytes !== undefined) uploadSize.observe([t], e.bytes);
    },
    transaction(e) {
      const t = transactionType.admit(e.transaction_type);
      transactions.inc([t, optional(transactionChannel, e.channel), e.outcome]);
      if (e.amount !== undefined && e.currency !== undefined && e.outcome === 'success') {
        amount.observe([t, currency.admit(e.currency)], e.amount);
      }
    },
  };
}
