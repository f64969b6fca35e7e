import type { EventType, ValidEvent } from './catalog/index.js';
import { createAuthRecorders } from './recorders/auth.js';
import { createBusinessRecorders } from './recorders/business.js';
import { createCacheRecorders } from './recorders/cache.js';
import type { RecorderContext, RecorderMap } from './recorders/context.js';
import { createDbRecorders } from './recorders/db.js';
import { createDocumentRecorders } from './recorders/document.js';
import { createErrorRecorders } from './recorders/error.js';
import { createLlmRecorders } from './recorders/llm.js';
import { createRagRecorders } from './recorders/rag.js';
import { createSpeechRecorders } from './recorders/speech.js';
import { createStorageRecorders } from './recorders/storage.js';

/** Every metric family of the catalog, created once on the given registry. */
export class EventRecorder {
  private readonly recorders: RecorderMap<EventType>;

  constructor(context: RecorderContext) {
    this.recorders = {
      ...createDbRecorders(context),
      ...createCacheRecorders(context),
      ...createStorageRecorders(context),
      ...createSpeechRecorders(context),
      ...createLlmRecorders(context),
      ...createRagRecorders(context),
      ...createDocumentRecorders(context),
      ...createAuthRecorders(context),
      ...createBusinessRecorders(context),
      ...createErrorRecorders(context),
    };
  }

  /** Records a fully validated event. Label budgets are applied here, after validation. */
  record(event: ValidEvent): void {
    (this.recorders[event.type] as (e: ValidEvent) => void)(event);
  }
}
