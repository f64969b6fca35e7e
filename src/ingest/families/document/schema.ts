import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { count, envelope, seconds, successOrError } from '../schema-fields.js';

export const documentProcessingSchema = z
  .strictObject({
    type: z.literal('document.processing'),
    ...envelope,
    document_type: labelString('Kind of document: pdf, docx, image, html…'),
    stage: labelString('Processing stage: parse, ocr, chunk, embed; `all` for the whole job.').default('all'),
    outcome: labelEnum(successOrError, 'Whether the stage succeeded.'),
    pages: count('Pages processed.', 1e6).optional(),
    duration_s: seconds('How long the stage took.'),
  })
  .describe('document.processing: one processing stage of one document.');
