/**
 * API failures reduced to what a screen acts on: the `extensions.code`, the input fields it names
 * (`extensions.field` or `extensions.fields[].field`, without the `input.` prefix), a `reason`
 * (e.g. ACCOUNT_LOCKED), `retryAfterSeconds` (RATE_LIMITED), `retryAfterMs` (UNAVAILABLE), and a
 * sanction's `until` and `note` (SUSPENDED, BANNED). Transport
 * failures become NETWORK_ERROR.
 */
export interface ApiError {
  code: string;
  message: string;
  fields: string[];
  reason: string | null;
  retryAfterSeconds: number | null;
  retryAfterMs: number | null;
  /** A suspension's end (ISO time) for reason SUSPENDED; null for BANNED; absent otherwise. */
  until?: string | null;
  /** The moderator's note with a SUSPENDED or BANNED refusal, if any. */
  note?: string | null;
}

interface ErrorLike {
  message?: unknown;
  extensions?: Record<string, unknown>;
}

const fieldName = (path: string) => path.replace(/^input\./, '');

function fromGraphqlError(e: ErrorLike): ApiError {
  const ext = e.extensions ?? {};
  const fields = new Set<string>();
  if (typeof ext.field === 'string') fields.add(fieldName(ext.field));
  if (Array.isArray(ext.fields)) {
    for (const f of ext.fields) {
      const name = typeof f === 'string' ? f : (f as { field?: unknown })?.field;
      if (typeof name === 'string') fields.add(fieldName(name));
    }
  }
  return {
    code: typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR',
    message: typeof e.message === 'string' ? e.message : '',
    fields: [...fields],
    reason: typeof ext.reason === 'string' ? ext.reason : null,
    retryAfterSeconds: typeof ext.retryAfterSeconds === 'number' ? ext.retryAfterSeconds : null,
    retryAfterMs: typeof ext.retryAfterMs === 'number' ? ext.retryAfterMs : null,
    until: typeof ext.until === 'string' ? ext.until : null,
    note: typeof ext.note === 'string' ? ext.note : null,
  };
}

/** Accepts an ApolloError, a GraphQL error, an `{ errors: [...] }` JSON body or anything thrown. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  const e = err as {
    graphQLErrors?: ErrorLike[];
    errors?: ErrorLike[];
    networkError?: unknown;
    extensions?: unknown;
  } | null;
  const first = e?.graphQLErrors?.[0] ?? e?.errors?.[0] ?? (e?.extensions ? (e as ErrorLike) : undefined);
  if (first) return fromGraphqlError(first);
  const network = e?.networkError as { result?: { errors?: ErrorLike[] } } | undefined;
  const bodyError = network?.result?.errors?.[0];
  if (bodyError) return fromGraphqlError(bodyError);
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'NETWORK_ERROR', message, fields: [], reason: null, retryAfterSeconds: null, retryAfterMs: null };
}

/**
 * Failures that say nothing about the request itself: the server was out of reach (NETWORK_ERROR)
 * or a backend behind it was down or slow (UNAVAILABLE). The same request may simply be sent again.
 */
export function isTransient(error: ApiError): boolean {
  return error.code === 'NETWORK_ERROR' || error.code === 'UNAVAILABLE';
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    'fields' in value &&
    Array.isArray((value as ApiError).fields)
  );
}

/** Builds the error a store throws, so `catch (e)` in a component gets an ApiError. */
export class ApiFailure extends Error implements ApiError {
  readonly code: string;
  readonly fields: string[];
  readonly reason: string | null;
  readonly retryAfterSeconds: number | null;
  readonly retryAfterMs: number | null;
  readonly until: string | null;
  readonly note: string | null;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.fields = error.fields;
    this.reason = error.reason;
    this.retryAfterSeconds = error.retryAfterSeconds;
    this.retryAfterMs = error.retryAfterMs;
    this.until = error.until ?? null;
    this.note = error.note ?? null;
  }
}

export const apiFailure = (err: unknown): ApiFailure =>
  err instanceof ApiFailure ? err : new ApiFailure(toApiError(err));
