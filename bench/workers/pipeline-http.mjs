// A reference for `me`: the API's own HTTP layer for GraphQL (from api/dist: the GraphQL pipeline
// with Apollo Server, its node:http route with request ids, the access log and the latency metrics)
// answering the same query from a constant, with no token check, database or Redis. What it costs
// beside bare node:http is the API's HTTP layer; what `me` costs beyond it is randchat's own work.
import { openSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listeningPort, serve } from './serve.mjs';

const API_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../api/dist');
const require = createRequire(path.join(API_DIST, 'main.js'));
/** @param {string} file a built module under api/dist (its exports are typed where they are used) */
const load = (file) => require(path.join(API_DIST, file));

const typeDefs = `
  type Query { me: User }
  type User { id: ID! nickname: String! email: String gender: String birthYear: Int createdAt: String! }
`;

export const methods = {
  /** @param {{ me: unknown }} args me: the `me` object the API returned (answered as is). */
  async start({ me }) {
    /** @type {typeof import('graphql')} */
    const graphql = require('graphql');
    /** @type {typeof import('pino')} */
    const pino = require('pino');
    const { loadConfig } = load('config.js');
    const { createLogger } = load('infra/logger.js');
    const { createMetrics } = load('infra/metrics.js');
    const { GraphqlPipeline } = load('infra/graphql/pipeline.js');
    const { createGraphqlRoute } = load('infra/http/graphql-route.js');

    const schema = graphql.buildSchema(typeDefs);
    const query = /** @type {import('graphql').GraphQLObjectType} */ (schema.getQueryType());
    const meField = query.getFields().me;
    if (meField) meField.resolve = () => me;
    // Only the GraphQL limits and the HTTP settings are read here; production's required secrets are not.
    const config = loadConfig({ LOG_LEVEL: 'info', GRAPHQL_INTROSPECTION: 'false' });
    // One access-log line per request, as the API writes them, to /dev/null instead of a pipe.
    const logger = createLogger('info', pino.destination({ dest: openSync('/dev/null', 'w'), sync: false }));
    const metrics = createMetrics();
    const pipeline = new GraphqlPipeline({ schema, config, metrics, logger });
    const server = createServer();
    const apollo = pipeline.createApollo(server, () => Promise.resolve());
    await apollo.start();
    const route = createGraphqlRoute({
      config,
      apollo,
      metrics,
      logger,
      /** @param {{ requestId: string }} exchange */
      context: (exchange) => Promise.resolve({ requestId: exchange.requestId, logger }),
    });
    server.on('request', route);
    server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    return { port: listeningPort(server), pid: process.pid };
  },
};
/** @typedef {typeof methods} PipelineHttp */

serve(methods);
