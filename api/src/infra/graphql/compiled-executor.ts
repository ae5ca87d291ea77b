import {
  execute,
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { DeadlineExceededError } from '../deadlines';
import { ErrorCode } from './errors';

/** How one (document, operation name) runs: compiled, by graphql-js, or not at all. */
type Plan =
  { kind: 'compiled'; query: CompiledQuery } | { kind: 'mutation' } | { kind: 'refused'; result: ExecutionResult };

/**
 * Errors raised before execution, with no path, cause or code, are the variables' coercion failures:
 * the client's input, so BAD_USER_INPUT (graphql-jit's carry no AST nodes, by which Apollo would
 * recognise them). Errors of resolvers, including a subscription's set-up, keep their own code.
 */
function coded(result: ExecutionResult): ExecutionResult {
  if (result.data !== undefined || !result.errors) return result;
  return {
    errors: result.errors.map((e) =>
      e.path || e.originalError || e.extensions?.code !== undefined
        ? e
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
  const error = err instanceof Error ? err : new Error(String(err));
  return { data: null, errors: [new GraphQLError(error.message, { originalError: error })] };
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
   */
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly deadlineMs = 0,
  ) {}

  private plan(document: DocumentNode, operationName: string | null | undefined): Plan {
    let byName = this.plans.get(document);
    if (!byName) this.plans.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let plan = byName.get(key);
    if (!plan) {
      if (getOperationAST(document, operationName)?.operation === 'mutation') {
        plan = { kind: 'mutation' };
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
    const result =
      plan.kind === 'mutation'
        ? bounded(execute(args), this.deadlineMs, true)
        : bounded(
            plan.query.query(args.rootValue, args.contextValue, args.variableValues ?? {}) as
              Promise<ExecutionResult> | ExecutionResult,
            this.deadlineMs,
            false,
          );
    // A rejected execution (graphql-jit rejects when a failing root promise escapes its handlers)
    // becomes an error result, formatted like any other (a backend failure is UNAVAILABLE).
    return isPromise(result) ? result.then(coded, failedExecution) : coded(result);
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

/** The result, or an UNAVAILABLE error once `deadlineMs` has passed (the work goes on unobserved). */
function bounded(
  result: Promise<ExecutionResult> | ExecutionResult,
  deadlineMs: number,
  writes: boolean,
): Promise<ExecutionResult> | ExecutionResult {
  if (!isPromise(result) || deadlineMs <= 0) return result;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<ExecutionResult>((resolve) => {
    timer = setTimeout(() => {
      const cause = new DeadlineExceededError(deadlineMs, writes);
      resolve({ data: null, errors: [new GraphQLError(cause.message, { originalError: cause })] });
    }, deadlineMs);
  });
  return Promise.race([result, expired]).finally(() => clearTimeout(timer));
}
