import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors';
import { stripSuggestions } from './limits';
import { unavailableFrom } from './unavailable';

/** Codes whose message is written for clients; everything else is masked. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'INTROSPECTION_DISABLED',
]);

/** Extensions a client may see; anything else (stack traces, SQL, internals) is dropped. */
const PUBLIC_EXTENSIONS = [
  'code',
  'field',
  'fields',
  'limit',
  'reason',
  'retryAfterSeconds',
  'retryAfterMs',
  'outcome',
  'until',
  'note',
  'requestId',
];

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

interface ValidationFailure {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationFailure[];
}

/** Flattens class-validator results into "input.email: email must be a valid email address". */
function describeValidation(failures: ValidationFailure[], prefix = ''): { field: string; message: string }[] {
  return failures.flatMap((f) => {
    const field = prefix ? `${prefix}.${f.property}` : f.property;
    const own = Object.values(f.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...describeValidation(f.children ?? [], field)];
  });
}

/** True when the error was raised on purpose for the client, not by a failure inside the server. */
export function isPublicError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (!(original instanceof GraphQLError)) return false;
  const code = original.extensions?.code;
  return typeof code === 'string' ? PUBLIC_CODES.has(code) : original.originalError === undefined;
}

/**
 * The one place that decides what a client sees of an error, for HTTP and WebSocket alike:
 * expected errors keep their message and code (minus field suggestions), the rest become
 * INTERNAL_SERVER_ERROR with a generic message; no stack trace ever leaves the server.
 */
export function toClientError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (!isPublicError(error)) {
    // A backend that is down or too slow: a coded, retryable answer (README, "Errors a client retries").
    const unavailable = unavailableFrom(unwrapResolverError(error));
    if (unavailable) {
      return {
        message: unavailable.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...unavailable.extensions },
      };
    }
    return { message: INTERNAL_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const original = unwrapResolverError(error) as GraphQLError;
  const ext = original.extensions ?? {};
  const extensions: Record<string, unknown> = {
    // A query-limit rejection is bad input, even though Apollo files it under validation.
    code: ext.limit ? 'BAD_USER_INPUT' : typeof ext.code === 'string' ? ext.code : 'GRAPHQL_VALIDATION_FAILED',
  };
  for (const key of PUBLIC_EXTENSIONS) if (key !== 'code' && ext[key] !== undefined) extensions[key] = ext[key];
  let message = stripSuggestions(formatted.message);
  if (Array.isArray(ext.validationErrors)) {
    const fields = describeValidation(ext.validationErrors as ValidationFailure[]);
    message = `Invalid input: ${fields.map((f) => f.message).join('; ')}`;
    extensions.fields = fields;
  }
  return { message, locations: formatted.locations, path: formatted.path, extensions };
}
