import type { ExportRequest } from './otlp-types.js';
import { otlpTypes, PLAIN } from './proto.js';

/**
 * OTLP/HTTP bodies: binary protobuf (`application/x-protobuf`) or the protobuf JSON mapping
 * (`application/json`, field names in lowerCamelCase), both read into the same plain objects
 * by protobufjs; answers go back in the request's encoding, as the specification requires.
 */
export type OtlpEncoding = 'protobuf' | 'json';

export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const media = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

/** A body that is not an ExportMetricsServiceRequest; the message says where it went wrong. */
export class MalformedBody extends Error {}

export async function decodeRequest(body: Buffer, encoding: OtlpEncoding): Promise<ExportRequest> {
  const { ExportMetricsServiceRequest } = await otlpTypes();
  try {
    if (encoding === 'protobuf') {
      return ExportMetricsServiceRequest.toObject(
        ExportMetricsServiceRequest.decode(body),
        PLAIN,
      ) as ExportRequest;
    }
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new MalformedBody('the JSON body is not an object');
    // fromObject checks each field's type; toObject gives the plain shape protobuf decoding gives.
    const message = ExportMetricsServiceRequest.fromObject(json as Record<string, unknown>);
    return ExportMetricsServiceRequest.toObject(message, PLAIN) as ExportRequest;
  } catch (error) {
    if (error instanceof MalformedBody) throw error;
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw new MalformedBody('the body nests too deeply');
    if (error instanceof SyntaxError) throw new MalformedBody('the body is not valid JSON');
    // protobufjs says what it expected at which field ("index out of range", "….resourceMetrics: array expected").
    const reason = error instanceof Error ? error.message.replace(/^\.otlp\./, '') : String(error);
    throw new MalformedBody(`the body is not an OTLP ExportMetricsServiceRequest (${reason.slice(0, 200)})`);
  }
}

/** ExportMetricsServiceResponse: empty on full success, else partial_success. */
export async function encodeResponse(
  encoding: OtlpEncoding,
  partial?: { rejectedDataPoints: number; errorMessage: string },
): Promise<Buffer> {
  const { ExportMetricsServiceResponse } = await otlpTypes();
  const message = ExportMetricsServiceResponse.fromObject(partial ? { partialSuccess: partial } : {});
  if (encoding === 'protobuf') return Buffer.from(ExportMetricsServiceResponse.encode(message).finish());
  return Buffer.from(JSON.stringify(ExportMetricsServiceResponse.toObject(message, { longs: String })));
}

/** gRPC status codes the bodies of refusals carry (google.rpc.Status). */
export const RPC_CODES = {
  invalidArgument: 3,
  permissionDenied: 7,
  resourceExhausted: 8,
  unavailable: 14,
  unauthenticated: 16,
} as const;

export async function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Promise<Buffer> {
  const { RpcStatus } = await otlpTypes();
  if (encoding === 'protobuf')
    return Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish());
  return Buffer.from(JSON.stringify({ code, message }));
}
