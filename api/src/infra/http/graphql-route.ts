import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import proxyAddr from 'proxy-addr';
import type { Config } from '../../config';
import type { Context } from '../graphql/context';
import { unavailableFrom } from '../graphql/unavailable';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { createAccessLog, requestIdFrom } from './access';

export interface GraphqlRouteDeps {
  config: Config;
  apollo: ApolloServer<Context>;
  metrics: Metrics;
  logger: Logger;
  /** The operation's context; `cookies` reads and sets the refresh cookie of this exchange. */
  context: (exchange: GraphqlExchange) => Promise<Context>;
}

/** What the context of a GraphQL request over HTTP is built from. */
export interface GraphqlExchange {
  requestId: string;
  /** `performance.now()` when the request (its body included) had arrived. */
  receivedAt: number;
  ip: string;
  /** The host the client addressed, without port (behind a trusted proxy: X-Forwarded-Host). */
  hostname: string;
  authorization: string | undefined;
  cookieHeader: string | undefined;
  appendSetCookie(value: string): void;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long ago a proxy's `X-Request-Start` may say at most; older (or future) values are clock skew. */
const MAX_FORWARDED_AGO_MS = 60_000;

/**
 * How long ago a trusted proxy forwarded the request, by its `X-Request-Start: t=<seconds since the
 * epoch>` (nginx: `t=${msec}` once it has the whole request); 0 without one. The wait since, in this
 * instance's accept queue or event loop, then counts against the operation's deadline: a busy
 * instance accepts new connections one per loop turn, and a request may wait there for seconds.
 */
function forwardedAgoMs(header: string | string[] | undefined, now = Date.now()): number {
  const match = typeof header === 'string' ? /^t=(\d{9,11}(?:\.\d{1,6})?)$/.exec(header.trim()) : null;
  if (!match) return 0;
  const ago = now - Number(match[1]) * 1000;
  return ago > 0 && ago <= MAX_FORWARDED_AGO_MS ? ago : 0;
}

/** The request body, refused past the limit (413) or when it is not JSON where JSON was declared (400). */
function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding !== 'identity') {
      reject(new HttpFailure(415, 'BAD_REQUEST', `Content-Encoding ${encoding} is not supported`));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > limit) return;
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (!/^application\/(.+\+)?json\b/i.test(req.headers['content-type'] ?? '')) return resolve(text || undefined);
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpFailure(400, 'BAD_REQUEST', 'Malformed JSON in the request body'));
      }
    });
  });
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * Adds the request id to the errors of a response Apollo refused before any operation ran (CSRF,
 * a malformed request): those never reach the pipeline's plugin. Only error responses are read.
 */
function withRequestId(body: string, requestId: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: Record<string, unknown> }[] };
    if (!parsed.errors) return body;
    for (const error of parsed.errors) error.extensions = { ...error.extensions, requestId };
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

/**
 * GraphQL over HTTP (`GET`/`POST /graphql`) on node:http, with no web framework in the way: the
 * body is read and parsed here, Apollo Server runs the operation through the GraphQL pipeline
 * (`executeHTTPGraphQLRequest`), and each request gets its request id, access-log line and latency
 * sample like every other route.
 */
export function createGraphqlRoute(deps: GraphqlRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, apollo, metrics, logger } = deps;
  const recordAccess = createAccessLog(metrics, logger);
  const trust = proxyAddr.compile(config.http.trustProxy.split(',').map((s) => s.trim()));

  const hostnameOf = (req: IncomingMessage): string => {
    const forwarded = req.headers['x-forwarded-host'];
    const host =
      typeof forwarded === 'string' && trust(req.socket.remoteAddress ?? '', 0)
        ? forwarded.split(',')[0]!.trim()
        : (req.headers.host ?? '');
    return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  };

  const send = (res: ServerResponse, status: number, headers: Iterable<[string, string]>, body: string) => {
    res.statusCode = status;
    for (const [key, value] of headers) res.setHeader(key, value);
    res.end(body);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const setCookies: string[] = [];
    let response: HTTPGraphQLResponse;
    try {
      const body = req.method === 'POST' ? await readBody(req, config.http.bodyLimitBytes) : undefined;
      // The deadline counts from here (a client's slow upload is not the server's time), or from when
      // a trusted proxy forwarded the request.
      const forwarded = trust(req.socket.remoteAddress ?? '', 0) ? forwardedAgoMs(req.headers['x-request-start']) : 0;
      const receivedAt = performance.now() - forwarded;
      const url = req.url ?? '';
      const query = url.indexOf('?');
      response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? 'GET',
          headers: headerMapOf(req),
          search: query === -1 ? '' : url.slice(query),
          body,
        },
        context: () =>
          deps.context({
            requestId,
            receivedAt,
            ip: proxyAddr(req, trust),
            hostname: hostnameOf(req),
            authorization: req.headers.authorization,
            cookieHeader: req.headers.cookie,
            appendSetCookie: (value) => setCookies.push(value),
          }),
      });
    } catch (err) {
      const unavailable = err instanceof HttpFailure ? null : unavailableFrom(err);
      const failure =
        err instanceof HttpFailure
          ? err
          : unavailable
            ? new HttpFailure(503, 'UNAVAILABLE', unavailable.message)
            : new HttpFailure(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      if (unavailable) logger.warn({ err, requestId }, 'backend unavailable');
      else if (!(err instanceof HttpFailure)) logger.error({ err, requestId }, 'unhandled GraphQL HTTP error');
      const body = JSON.stringify({
        errors: [
          {
            message: failure.message,
            extensions: { ...(unavailable?.extensions ?? {}), code: failure.code, requestId },
          },
        ],
      });
      if (failure.status === 413) res.setHeader('connection', 'close');
      return send(res, failure.status, [['content-type', 'application/json; charset=utf-8']], body);
    }
    if (setCookies.length > 0) res.setHeader('set-cookie', setCookies);
    const status = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const body = status >= 400 ? withRequestId(response.body.string, requestId) : response.body.string;
      return send(res, status, response.headers, body);
    }
    res.statusCode = status;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      recordAccess({
        requestId,
        method: req.method ?? '',
        route: '/graphql',
        path,
        status: res.statusCode,
        started,
      });
    });
    answer(req, res, requestId).catch((err: unknown) => {
      logger.error({ err, requestId }, 'GraphQL HTTP response failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}
