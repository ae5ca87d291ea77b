import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { createAccessLog, requestIdFrom } from './access';
import { jsonError } from './json-error';

export interface HttpAppDeps {
  config: Config;
  metrics: Metrics;
  logger: Logger;
  /** Resolves with the state of each dependency; rejects never. */
  readiness: () => Promise<Record<string, boolean>>;
  webDistDir: string;
  /** Feature routes (uploads, media, the dev outbox), mounted before the web app's fallback. */
  routes?: express.Router[];
}

/**
 * Every HTTP route but `/graphql` (which the GraphQL pipeline answers on node:http directly): health,
 * readiness, metrics, the feature routes, the playground and the web app.
 */
export function createHttpApp(deps: HttpAppDeps): express.Express {
  const { config, metrics, logger } = deps;
  const recordAccess = createAccessLog(metrics, logger);
  const app = express();
  app.disable('x-powered-by');
  app.set(
    'trust proxy',
    config.http.trustProxy.split(',').map((s) => s.trim()),
  );

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // originalUrl: req.path is relative to a router's mount point; the query string may carry signatures.
      const path = req.originalUrl.split('?')[0] ?? '';
      const route = String(req.route?.path ?? 'other');
      recordAccess({ requestId, method: req.method, route, path, status: res.statusCode, started });
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
    app.use(
      express.static(deps.webDistDir, {
        index: 'index.html',
        maxAge: '1h',
        // The service worker and the manifest are checked on every load: a new build takes over at once.
        setHeaders: (res, file) => {
          if (/(^|[\\/])(sw\.js|manifest\.webmanifest)$/.test(file)) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
    app.get('/{*path}', (_req, res) => res.sendFile(path.join(deps.webDistDir, 'index.html')));
  }

  app.use((_req, res) => jsonError(res, 404, 'NOT_FOUND', 'No such route'));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
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
