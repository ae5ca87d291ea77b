import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Request } from 'express';
import type { Config } from '../../config';
import type { Context } from '../graphql/context';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { jsonError } from './json-error';

export interface HttpAppDeps {
  config: Config;
  apollo: ApolloServer<Context>;
  metrics: Metrics;
  logger: Logger;
  /** Builds the per-request GraphQL context (auth, forked EntityManager, cookie access). */
  context: (req: Request, res: express.Response) => Promise<Context>;
  /** Resolves with the state of each dependency; rejects never. */
  readiness: () => Promise<Record<string, boolean>>;
  webDistDir: string;
  /** Feature routes (uploads, media, the dev outbox), mounted before the web app's fallback. */
  routes?: express.Router[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const { config, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set(
    'trust proxy',
    config.http.trustProxy.split(',').map((s) => s.trim()),
  );

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // originalUrl: req.path is relative to a router's mount point; the query string may carry signatures.
      const urlPath = req.originalUrl.split('?')[0] ?? '';
      const route = req.route?.path ?? (urlPath.startsWith('/graphql') ? '/graphql' : 'other');
      metrics.httpDuration.observe(
        { method: req.method, route: String(route), status: String(res.statusCode) },
        seconds,
      );
      logger.info(
        { requestId, method: req.method, path: urlPath, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'http',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(
    '/graphql',
    express.json({ limit: config.http.bodyLimitBytes }),
    expressMiddleware(deps.apollo, { context: ({ req, res }) => deps.context(req, res) }),
  );

  for (const router of deps.routes ?? []) app.use(router);

  // GraphiQL, built with the web app (web/playground.html); before the static files and the app's
  // fallback, so that GRAPHQL_PLAYGROUND=false also hides /playground.html.
  const playground = path.join(deps.webDistDir, 'playground.html');
  app.get(['/playground', '/playground.html'], (_req, res) => {
    if (!config.graphql.playground)
      return jsonError(res, 404, 'NOT_FOUND', 'The playground is disabled (GRAPHQL_PLAYGROUND=false)');
    if (!existsSync(playground))
      return jsonError(res, 404, 'NOT_FOUND', 'The playground is not built (npm run build -w web)');
    res.sendFile(playground);
  });

  if (existsSync(path.join(deps.webDistDir, 'index.html'))) {
    app.use(express.static(deps.webDistDir, { index: 'index.html', maxAge: '1h' }));
    app.get('/{*path}', (_req, res) => res.sendFile(path.join(deps.webDistDir, 'index.html')));
  }

  app.use((_req, res) => jsonError(res, 404, 'NOT_FOUND', 'No such route'));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') return jsonError(res, 400, 'BAD_REQUEST', 'Malformed JSON in the request body');
    if (type === 'entity.too.large') {
      return jsonError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${config.http.bodyLimitBytes} bytes`);
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return jsonError(res, status, 'BAD_REQUEST', 'The request could not be read');
    }
    logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'unhandled HTTP error');
    return jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
  app.use(onError);
  return app;
}
