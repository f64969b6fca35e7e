import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { count, envelope, seconds, successOrError } from '../schema-fields.js';

export const ragStageSchema = z
  .strictObject({
    name: labelString('Stage name: embed, retrieve, rerank, generate…'),
    duration_s: seconds('How long the stage took.'),
    outcome: labelEnum(successOrError, 'Whether the stage succeeded.').default('success'),
  })
  .describe('One stage of a retrieval-augmented generation pipeline.');

export const ragPipelineSchema = z
  .strictObject({
    type: z.literal('rag.pipeline'),
    ...envelope,
    pipeline: labelString('Which pipeline, when an application has several.').default('default'),
    outcome: labelEnum(successOrError, 'Whether the pipeline produced an answer.'),
    duration_s: seconds('Total time of the pipeline.'),
    documents_retrieved: count(
      'Documents the retrieval returned; 0 counts as an empty retrieval.',
      1e6,
    ).optional(),
    stages: z.array(ragStageSchema).max(20).optional().describe('The stages, in order (at most 20).'),
  })
  .describe('rag.pipeline: one run of a retrieval-augmented generation pipeline.');
