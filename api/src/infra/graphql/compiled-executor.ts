import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { DeadlineExceededError } from '../deadlines';
import type { Context } from './context';
import { ErrorCode } from './errors';
import { overloadedError } from './unavailable';

/** How one (document, operation name) runs: compiled, by graphql-js, or not at all. */
type Plan =
  | { kind: 'compiled'; query: CompiledQuery }
  | { kind: 'mutation'; sheddable: boolean }
  | { kind: 'refused'; result: ExecutionResult };

/**
 * Whether every root field of the mutation is marked sheddable (`@Extensions({ sheddable: true })`):
 * work a client queues and retries anyway, which an overloaded instance refuses first.
 */
function isSheddable(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  const fields = schema.getMutationType()?.getFields() ?? {};
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && fields[s.name.value]?.extensions.sheddable === true,
  );
}

/**
 * graphql-jit's resolver errors are GraphQLErrors without an `extensions` object when the thrown
 * error has none (a driver's error, say), and Apollo's error formatting reads `extensions.code`:
 * it threw on them and answered INTERNAL_SERVER_ERROR, hiding that a backend was UNAVAILABLE.
 * Such an error becomes a graphql-js GraphQLError with the same message, path, locations and cause.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const fixed = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? error });
  return Object.assign(fixed, { locations: error.locations });
}

/**
 * Errors raised before execution, with no path, cause or code, are the variables' coercion failures:
 * the client's input, so BAD_USER_INPUT (graphql-jit's carry no AST nodes, by which Apollo would
 * recognise them). Errors of resolvers, including a subscription's set-up, keep their own code.
 */
function coded(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  if (result.data !== undefined) return { ...result, errors: result.errors.map(withExtensions) };
  return {
    errors: result.errors.map((e) =>
      e.path || e.originalError || e.extensions?.code !== undefined
        ? withExtensions(e)
        : new GraphQLError(e.message, {
            nodes: e.nodes,
            source: e.source,
            positions: e.positions,
            extensions: { ...e.extensions, code: ErrorCode.BAD_USER_INPUT },
          }),
    ),
  };
}

function failedExecution(err: unknown): ExecutionResult {
  return refused(err instanceof Error ? err : new Error(String(err)));
}

const isPromise = <T>(value: Promise<T> | T): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * Executes operations with graphql-jit: each (document, operation name) is compiled to JavaScript
 * once, on first use, then run for every later request with the same document. The documents come
 * from the shared document cache, so one compiled query serves every HTTP request and WebSocket
 * operation that sends the same text, and is dropped with its document.
 *
 * Mutations run on graphql-js' executor: it stops a mutation's serial root fields at the first one
 * that fails (graphql-jit runs them all), which keeps e.g. aliased `logIn` calls to one guess.
 */
export class CompiledExecutor {
  private readonly plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  /**
   * @param deadlineMs a query or mutation still running after this long is answered with UNAVAILABLE
   *   (a mutation with outcome UNKNOWN: it may still take effect, e.g. a send whose COMMIT is in
   *   flight; a retry with the same clientMessageId then returns the stored message). Subscriptions
   *   have none. 0: no deadline.
   * @param overloaded whether the instance is overloaded now: a sheddable mutation is then answered
   *   UNAVAILABLE before it runs, leaving the time to the rest (catch-ups after a reconnect, above all).
   */
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly deadlineMs = 0,
    private readonly overloaded: () => boolean = () => false,
  ) {}

  private plan(document: DocumentNode, operationName: string | null | undefined): Plan {
    let byName = this.plans.get(document);
    if (!byName) this.plans.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let plan = byName.get(key);
    if (!plan) {
      const operation = getOperationAST(document, operationName);
      if (operation?.operation === 'mutation') {
        plan = { kind: 'mutation', sheddable: isSheddable(this.schema, operation) };
      } else {
        const compiled = compileQuery(this.schema, document, operationName ?? undefined);
        plan = isCompiledQuery(compiled)
          ? { kind: 'compiled', query: compiled }
          : { kind: 'refused', result: compiled };
      }
      byName.set(key, plan);
    }
    return plan;
  }

  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult {
    const plan = this.plan(args.document, args.operationName);
    if (plan.kind === 'refused') return plan.result;
    const writes = plan.kind === 'mutation';
    const leftMs = this.timeLeft(args.contextValue);
    // Already past its deadline before it ran (a busy event loop, a slow session check): answered
    // UNAVAILABLE without running, so nothing of it takes effect.
    if (leftMs !== undefined && leftMs <= 0) return expired(this.deadlineMs, false);
    if (plan.kind === 'mutation' && plan.sheddable && this.overloaded()) return refused(overloadedError());
    const result = writes
      ? execute(args)
      : (plan.query.query(args.rootValue, args.contextValue, args.variableValues ?? {}) as
          Promise<ExecutionResult> | ExecutionResult);
    const bounded = leftMs === undefined ? result : boundedBy(result, leftMs, this.deadlineMs, writes);
    // A rejected execution (graphql-jit rejects when a failing root promise escapes its handlers)
    // becomes an error result, formatted like any other (a backend failure is UNAVAILABLE).
    return isPromise(bounded) ? bounded.then(coded, failedExecution) : coded(bounded);
  }

  /** What is left of the operation's deadline, counted from its arrival when the context says when. */
  private timeLeft(contextValue: unknown): number | undefined {
    if (this.deadlineMs <= 0) return undefined;
    const receivedAt = (contextValue as Partial<Context> | undefined)?.receivedAt;
    return receivedAt === undefined ? this.deadlineMs : this.deadlineMs - (performance.now() - receivedAt);
  }

  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const plan = this.plan(args.document, args.operationName);
    if (plan.kind === 'refused') return plan.result;
    if (plan.kind !== 'compiled' || !plan.query.subscribe) {
      return { errors: [new GraphQLError('Not a subscription operation')] };
    }
    const result = (await plan.query.subscribe(args.rootValue, args.contextValue, args.variableValues ?? {})) as
      AsyncIterableIterator<ExecutionResult> | ExecutionResult;
    return Symbol.asyncIterator in result ? result : coded(result);
  }
}

/** An error answer without data: the operation was refused, or its execution failed as a whole. */
function refused(error: Error): ExecutionResult {
  return { data: null, errors: [new GraphQLError(error.message, { originalError: error })] };
}

/** The UNAVAILABLE answer of an operation past its deadline. */
function expired(deadlineMs: number, mayHaveTakenEffect: boolean): ExecutionResult {
  return refused(new DeadlineExceededError(deadlineMs, mayHaveTakenEffect));
}

/** The result, or an UNAVAILABLE error once `leftMs` has passed (the work goes on unobserved). */
function boundedBy(
  result: Promise<ExecutionResult> | ExecutionResult,
  leftMs: number,
  deadlineMs: number,
  writes: boolean,
): Promise<ExecutionResult> | ExecutionResult {
  if (!isPromise(result)) return result;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ExecutionResult>((resolve) => {
    timer = setTimeout(() => resolve(expired(deadlineMs, writes)), leftMs);
  });
  return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
}
