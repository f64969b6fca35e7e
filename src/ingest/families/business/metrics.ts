import { BODY_SIZE_BUCKETS } from '../../../metrics/buckets.js';
import { declareMetrics } from '../../../metrics/declaration.js';

/** `chat.message`, `voice.interaction`, `document.upload` and `transaction`. */
export const BUSINESS_METRICS = declareMetrics({
  chatMessages: {
    name: 'app_chat_messages_total',
    type: 'counter',
    help: 'Chat messages by author role, channel and outcome.',
    labelNames: ['role', 'channel', 'outcome'],
  },
  voiceInteractions: {
    name: 'app_voice_interactions_total',
    type: 'counter',
    help: 'Voice interactions by kind, channel and outcome.',
    labelNames: ['kind', 'channel', 'outcome'],
  },
  voiceDuration: {
    name: 'app_voice_interaction_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of voice interactions.',
    labelNames: ['kind', 'channel'],
    // From the user's first word to the last reply audio: 0.5 s to 10 min.
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  },
  documentUploads: {
    name: 'app_document_uploads_total',
    type: 'counter',
    help: 'Document uploads by document type, channel and outcome.',
    labelNames: ['document_type', 'channel', 'outcome'],
  },
  documentUploadSize: {
    name: 'app_document_upload_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'Size of uploaded documents.',
    labelNames: ['document_type'],
    buckets: BODY_SIZE_BUCKETS,
  },
  transactions: {
    name: 'app_transactions_total',
    type: 'counter',
    help: 'Business transactions by type, channel and outcome (success, declined, error).',
    labelNames: ['transaction_type', 'channel', 'outcome'],
  },
  transactionAmount: {
    name: 'app_transaction_amount',
    type: 'histogram',
    help: 'Amounts of successful transactions in the major currency unit; _sum is the volume per currency.',
    labelNames: ['transaction_type', 'currency'],
    // In the currency's major unit, in decades.
    buckets: [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000],
  },
});
