import type { Server as HttpServer } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Kind, type GraphQLSchema } from 'graphql';
import type { Config } from '../../config';
import type { Metrics } from '../metrics';
import { isPublicError, toClientError } from './client-errors';
import type { Context } from './context';
import { BadUserInputError } from './errors';
import { limitRules, parseOptions } from './limits';

/**
 * Refuses subscriptions over HTTP (they need the WebSocket), logs unexpected errors with the request
 * id, adds the id to every error, records metrics.
 */
function operationsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new BadUserInputError(
              'Subscriptions run over the WebSocket endpoint /graphql with the graphql-transport-ws subprotocol, not over HTTP',
            );
          }
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isPublicError(error))
              contextValue.logger.error({ err: error.originalError ?? error }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue, operation }) {
          if (response.body.kind === 'single') {
            for (const error of response.body.singleResult.errors ?? []) {
              metrics.graphqlErrors.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
              (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            }
          }
          const root = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
          metrics.graphqlDuration.observe(
            { type: operation?.operation ?? 'invalid', field: root?.kind === Kind.FIELD ? root.name.value : 'none' },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}

export function createApollo(
  schema: GraphQLSchema,
  httpServer: HttpServer,
  config: Config,
  metrics: Metrics,
  onDrain: () => Promise<void>,
) {
  return new ApolloServer<Context>({
    schema,
    introspection: config.graphql.introspection,
    validationRules: limitRules(config.graphql),
    parseOptions: parseOptions(config.graphql),
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError: toClientError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      operationsPlugin(metrics),
      {
        async serverWillStart() {
          return { drainServer: onDrain };
        },
      },
    ],
  });
}
