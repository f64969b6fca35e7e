import * as z from 'zod';

/**
 * The structured exception an `error` event may carry: the shape of Sentry's exception
 * interface, causes first and the raised exception last, each with its frames oldest first
 * (the raising frame last). The bounds are generous for what the Python client sends (10
 * exceptions, 50 frames, 5 lines of context, 20 variables of at most 200 characters) and keep
 * one event's size bounded whatever a client sends.
 */
const line = z.string().max(1024);

const frame = z.strictObject({
  filename: z.string().min(1).max(1024),
  abs_path: z.string().max(1024).optional(),
  function: z.string().max(256).optional(),
  module: z.string().max(256).optional(),
  lineno: z.int().min(0).max(10_000_000).optional(),
  colno: z.int().min(0).max(10_000_000).optional(),
  in_app: z.boolean().optional(),
  context_line: line.optional(),
  pre_context: z.array(line).max(10).optional(),
  post_context: z.array(line).max(10).optional(),
  vars: z
    .record(z.string().max(128), z.string().max(1024))
    .optional()
    .describe('Local variables as text (at most 50); scrubbed, and those named like secrets dropped.'),
});

export const exceptionSchema = z
  .array(
    z.strictObject({
      type: z.string().min(1).max(256),
      value: z.string().max(8192).optional(),
      module: z.string().max(256).optional(),
      stacktrace: z.strictObject({ frames: z.array(frame).max(100) }).optional(),
    }),
  )
  .min(1)
  .max(16)
  .describe(
    "The exception as Sentry's exception interface: causes first, the raised exception last, frames oldest first.",
  );

export type ExceptionInput = z.infer<typeof exceptionSchema>;
