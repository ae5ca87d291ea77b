import type { Server as HttpServer } from 'node:http';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { isPublicError, toClientError } from './client-errors';
import { CompiledExecutor } from './compiled-executor';
import type { Context } from './context';
import { DocumentCache, queryHash } from './document-cache';
import { BadUserInputError } from './errors';
import { limitRules, parseOptions } from './limits';
import { unavailableFrom } from './unavailable';

export type Transport = 'http' | 'ws';

/** One finished operation, as both transports report it. */
export interface OperationOutcome {
  transport: Transport;
  operation: OperationDefinitionNode | null | undefined;
  /** `process.hrtime.bigint()` when the operation arrived. */
  started: bigint;
}

/** What formatting an error needs of its operation. */
type ErrorScope = Pick<Context, 'requestId' | 'logger'>;

export interface PipelineDeps {
  schema: GraphQLSchema;
  config: Config;
  metrics: Metrics;
  logger: Logger;
  /** Whether the instance is overloaded now (see CompiledExecutor): never, when not given. */
  overloaded?: () => boolean;
}

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway'];

/**
 * The one GraphQL pipeline of both transports: GraphQL over HTTP (Apollo Server, on node:http) and
 * over the WebSocket (graphql-ws) share here the document cache (parse + validation, by query
 * hash), the limits (parser limits and validation rules), the compiled executor (graphql-jit),
 * what a client sees of an error, and the per-operation metrics and logging. A limit, an error rule
 * or a metric added here applies to both.
 */
export class GraphqlPipeline {
  readonly schema: GraphQLSchema;
  readonly documents = new DocumentCache();
  readonly executor: CompiledExecutor;
  /** The validation rules of every operation: graphql's own, then the query limits. */
  readonly limitRules: ValidationRule[];
  private readonly allRules: ValidationRule[];
  private readonly parsing: ReturnType<typeof parseOptions>;

  constructor(private readonly deps: PipelineDeps) {
    this.schema = deps.schema;
    this.executor = new CompiledExecutor(deps.schema, deps.config.deadlines.operationMs, deps.overloaded);
    this.limitRules = limitRules(deps.config.graphql);
    this.allRules = [...specifiedRules, ...this.limitRules];
    this.parsing = parseOptions(deps.config.graphql);
  }

  /** The query's validated document (cached), or the errors that refuse it (parse limits, validation). */
  prepare(query: string): DocumentNode | readonly GraphQLError[] {
    const hash = queryHash(query);
    const cached = this.documents.lookup(hash);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, this.parsing);
    } catch (err) {
      const message = err instanceof GraphQLError ? err.message : 'Syntax Error';
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(this.schema, document, this.allRules);
    if (errors.length > 0) return errors;
    this.documents.store(hash, document);
    return document;
  }

  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult {
    return this.executor.execute(args);
  }

  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    return this.executor.subscribe(args);
  }

  /**
   * What a client sees of an error, on either transport: expected errors keep their code and
   * message, the rest are masked (client-errors.ts); `requestId` ties it to the server's logs.
   */
  formatError(error: GraphQLError, scope: ErrorScope): GraphQLFormattedError {
    this.logUnexpected([error], scope.logger);
    const formatted = toClientError(error.toJSON(), error);
    return { ...formatted, extensions: this.tag(formatted.extensions, scope.requestId) };
  }

  /** Logs, with the operation's logger (and so its request id), every error not raised for the client. */
  private logUnexpected(errors: readonly GraphQLError[], logger: Logger): void {
    for (const error of errors) {
      if (isPublicError(error)) continue;
      const err = error.originalError ?? error;
      if (unavailableFrom(err)) logger.warn({ err }, 'backend unavailable');
      else logger.error({ err }, 'unexpected error');
    }
  }

  /** Counts a formatted error by code and returns its extensions with the request id added. */
  private tag(extensions: GraphQLFormattedError['extensions'], requestId: string): Record<string, unknown> {
    this.deps.metrics.graphqlErrors.inc({ code: String(extensions?.code ?? 'UNKNOWN') });
    return { ...extensions, requestId };
  }

  /** Records a finished operation: its latency by transport, operation type and root field. */
  finish(outcome: OperationOutcome): void {
    const operation = outcome.operation;
    const root = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
    this.deps.metrics.graphqlDuration.observe(
      {
        transport: outcome.transport,
        type: operation?.operation ?? 'invalid',
        field: root?.kind === Kind.FIELD ? root.name.value : 'none',
      },
      Number(process.hrtime.bigint() - outcome.started) / 1e9,
    );
  }

  /**
   * Apollo Server for GraphQL over HTTP, wired to this pipeline: its document store is the shared
   * cache, its executor the compiled one (through Apollo's supported `gateway` hook: a gateway whose
   * `load()` returns the executor), its validation rules the shared limits, and its plugin reports
   * to `finish` and `formatError`. No express: the HTTP route calls `executeHTTPGraphQLRequest`.
   */
  createApollo(httpServer: HttpServer, onDrain: () => Promise<void>): ApolloServer<Context> {
    const { config } = this.deps;
    return new ApolloServer<Context>({
      gateway: this.gateway(),
      documentStore: this.documents,
      introspection: config.graphql.introspection,
      validationRules: this.limitRules,
      parseOptions: this.parsing,
      allowBatchedHttpRequests: false,
      includeStacktraceInErrorResponses: false,
      csrfPrevention: true,
      // The default pretty-prints every response (two-space indentation).
      stringifyResult: JSON.stringify,
      // Errors are formatted (and counted) in the plugin, where the request id is known; this one
      // only catches what fails before a request has a context (e.g. CSRF or a malformed body).
      formatError: (formatted, error) => toClientError(formatted, error),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // Its per-field hook would wrap every resolver of the schema for cache hints nobody reads.
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginUsageReportingDisabled(),
        this.apolloPlugin(),
        { serverWillStart: () => Promise.resolve({ drainServer: onDrain }) },
      ],
    });
  }

  private gateway(): Gateway {
    const { schema, executor } = this;
    let onLoad: Parameters<Gateway['onSchemaLoadOrUpdate']>[0] | undefined;
    return {
      onSchemaLoadOrUpdate(callback) {
        onLoad = callback;
        return () => (onLoad = undefined);
      },
      load() {
        onLoad?.({ apiSchema: schema, coreSupergraphSdl: '' });
        return Promise.resolve({
          executor: (request) =>
            Promise.resolve(
              executor.execute({
                schema,
                document: request.document,
                operationName: request.operationName,
                variableValues: request.request.variables,
                contextValue: request.context,
              }),
            ),
        });
      },
      stop: () => Promise.resolve(),
    };
  }

  /** Refuses subscriptions over HTTP; reports every operation to `finish`; adds request ids to errors. */
  private apolloPlugin(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: () => {
        const started = process.hrtime.bigint();
        return Promise.resolve({
          didResolveOperation({ operation }) {
            if (operation?.operation === 'subscription') {
              const error = new BadUserInputError(
                'Subscriptions run over the WebSocket endpoint /graphql with the graphql-transport-ws subprotocol, not over HTTP',
              );
              // Apollo answers 500 for an error thrown here unless told otherwise: this one is the client's.
              Object.assign(error.extensions, { http: { status: 400 } });
              throw error;
            }
            return Promise.resolve();
          },
          didEncounterErrors: ({ errors, contextValue }) => {
            this.logUnexpected(errors, contextValue.logger);
            return Promise.resolve();
          },
          willSendResponse: ({ response, contextValue, operation }) => {
            if (response.body.kind === 'single') {
              const result = response.body.singleResult;
              result.errors &&= result.errors.map((e) => ({
                ...e,
                extensions: this.tag(e.extensions, contextValue.requestId),
              }));
            }
            this.finish({ transport: 'http', operation, started });
            return Promise.resolve();
          },
        });
      },
    };
  }
}
