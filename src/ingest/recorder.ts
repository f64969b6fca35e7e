import type { EventType, ValidEvent } from './catalog.js';
import { createAuthRecorders } from './families/auth/recorder.js';
import { createBusinessRecorders } from './families/business/recorder.js';
import { createCacheRecorders } from './families/cache/recorder.js';
import { createDbRecorders } from './families/db/recorder.js';
import { createDocumentRecorders } from './families/document/recorder.js';
import { createErrorRecorders } from './families/error/recorder.js';
import { createLlmRecorders } from './families/llm/recorder.js';
import { createRagRecorders } from './families/rag/recorder.js';
import type { RecorderContext, RecorderMap } from './families/recorder-context.js';
import { createSpeechRecorders } from './families/speech/recorder.js';
import { createStorageRecorders } from './families/storage/recorder.js';

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
