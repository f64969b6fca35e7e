import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { count, envelope, seconds, successOrError } from '../schema-fields.js';

export const STORAGE_OPERATIONS = ['upload', 'download', 'delete'] as const;

export const storageOperationSchema = z
  .strictObject({
    type: z.literal('storage.operation'),
    ...envelope,
    operation: labelEnum(STORAGE_OPERATIONS, 'What was done with the object.'),
    backend: labelString('Where objects live: s3, gcs, azure_blob, minio, local…'),
    outcome: labelEnum(successOrError, 'Whether the operation succeeded.'),
    bytes: count('Object size transferred, in bytes.', 1e13).optional(),
    duration_s: seconds('How long the operation took.'),
  })
  .describe('storage.operation: one object-storage call.');
