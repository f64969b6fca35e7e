import * as z from 'zod';
import { labelString } from '../../label-safety.js';
import { count, envelope, seconds } from '../schema-fields.js';

/** A database call, as OpenTelemetry's database client conventions describe it. */
export const dbQuerySchema = z
  .strictObject({
    type: z.literal('db.query'),
    ...envelope,
    system: labelString('Database system, as db.system.name: postgresql, mysql, sqlite, mongodb, redis…'),
    operation: labelString('Operation or command, as db.operation.name: SELECT, INSERT, findAndModify…'),
    collection: labelString('Table or collection, as db.collection.name: users, public.orders…').optional(),
    duration_s: seconds('How long the call took, including fetching the rows.'),
    error_type: labelString(
      'Set only when the call failed: the exception class or the database error code (ORA-17002, 40001).',
    ).optional(),
    rows: count('Rows returned.', 1e12).optional(),
  })
  .describe('db.query: one database call.');

/** A snapshot of one connection pool, sent periodically (every 10–30 s is plenty). */
export const dbPoolSchema = z
  .strictObject({
    type: z.literal('db.pool'),
    ...envelope,
    pool: labelString('Pool name, unique within the application.').default('default'),
    used: count('Connections checked out right now.', 1e6),
    idle: count('Open connections waiting in the pool.', 1e6),
    max: count('Largest number of open connections the pool allows.', 1e6).optional(),
    pending: count('Callers waiting for a connection right now.', 1e6).optional(),
    timeouts: count(
      'Connection-acquire timeouts since the previous snapshot (a delta, not a running total).',
      1e9,
    ).optional(),
  })
  .describe('db.pool: a connection-pool snapshot.');
