import { labeledCounter, labeledHistogram } from '../../../metrics/create-metric.js';
import type { CounterDeclaration } from '../../../metrics/declaration.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { successOrError } from '../schema-fields.js';
import { CounterSeries, HistogramSeries, varying } from '../series.js';
import { BUSINESS_METRICS } from './metrics.js';
import { TRANSACTION_OUTCOMES } from './schema.js';

type BusinessType = 'chat.message' | 'voice.interaction' | 'document.upload' | 'transaction';

export function createBusinessRecorders({ registry, budgets }: RecorderContext): RecorderMap<BusinessType> {
  // Every outcome of a new combination starts at 0, so error ratios work from the first event.
  const counter = (declaration: CounterDeclaration, outcomes: readonly string[]) =>
    new CounterSeries(labeledCounter(registry, declaration), varying(2, outcomes));

  const chat = counter(BUSINESS_METRICS.chatMessages, successOrError);
  const voice = counter(BUSINESS_METRICS.voiceInteractions, successOrError);
  const voiceDuration = new HistogramSeries(labeledHistogram(registry, BUSINESS_METRICS.voiceDuration));
  const uploads = counter(BUSINESS_METRICS.documentUploads, successOrError);
  const uploadSize = new HistogramSeries(labeledHistogram(registry, BUSINESS_METRICS.documentUploadSize));
  const transactions = counter(BUSINESS_METRICS.transactions, TRANSACTION_OUTCOMES);
  const amount = new HistogramSeries(labeledHistogram(registry, BUSINESS_METRICS.transactionAmount));

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
