import type { Registry } from 'prom-client';
import type { EventType, ValidEvent } from '../catalog.js';
import type { LabelBudgets } from '../label-safety.js';

/** What every family recorder is built from. */
export interface RecorderContext {
  readonly registry: Registry;
  readonly budgets: LabelBudgets;
}

/** Turns one validated event into metric updates. Never called for a rejected event. */
export type Record_<T extends EventType> = (event: ValidEvent<T>) => void;

export type RecorderMap<T extends EventType> = { readonly [K in T]: Record_<K> };
