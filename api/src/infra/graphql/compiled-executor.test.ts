import { buildSchema, GraphQLError, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CompiledExecutor } from './compiled-executor';
import { toClientError } from './client-errors';

// The operation deadline counts from the request's arrival (context.receivedAt), so what a request
// spent before execution (a slow session check, a busy event loop) is not added on top of it.
describe('CompiledExecutor', () => {
  const DEADLINE_MS = 200;
  let runs: string[];
  let schema: GraphQLSchema;
  let executor: CompiledExecutor;

  beforeEach(() => {
    jest.useFakeTimers(); // performance.now() included
    runs = [];
    schema = buildSchema('type Query { slow: String! } type Mutation { write: String! }');
    const pending = (field: string) => () => {
      runs.push(field);
      return new Promise<string>(() => undefined); // a backend that never answers
    };
    schema.getQueryType()!.getFields().slow!.resolve = pending('slow');
    schema.getMutationType()!.getFields().write!.resolve = pending('write');
    executor = new CompiledExecutor(schema, DEADLINE_MS);
  });
  afterEach(() => jest.useRealTimers());

  /** The result once `ms` of (fake) time have passed, or 'pending'. */
  const after = async (result: Promise<ExecutionResult>, ms: number) => {
    let settled: ExecutionResult | 'pending' = 'pending';
    void result.then((r) => (settled = r));
    await jest.advanceTimersByTimeAsync(ms);
    return settled;
  };

  const run = (query: string, receivedAt?: number) =>
    Promise.resolve(executor.execute({ schema, document: parse(query), contextValue: { receivedAt } }));

  const clientCode = (result: ExecutionResult) => result.errors?.map((e) => toClientError(e.toJSON(), e).extensions);

  it('answers UNAVAILABLE once the time left after arrival has passed', async () => {
    const pending = run('{ slow }', performance.now() - 150);
    const result = await after(pending, 60);
    expect(runs).toEqual(['slow']);
    expect(result).not.toBe('pending');
    expect(clientCode(result as ExecutionResult)).toEqual([{ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) }]);
  });

  it('a mutation given up while running may have taken effect: outcome UNKNOWN', async () => {
    const result = await after(run('mutation { write }', performance.now()), DEADLINE_MS + 10);
    expect(clientCode(result as ExecutionResult)).toEqual([
      { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number), outcome: 'UNKNOWN' },
    ]);
  });

  it('an operation already past its deadline on arrival at the executor does not run', async () => {
    const result = await run('mutation { write }', performance.now() - DEADLINE_MS - 1);
    expect(runs).toEqual([]);
    expect(clientCode(result)).toEqual([{ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) }]);
  });

  it('without an arrival time the whole deadline counts from execution', async () => {
    const pending = run('{ slow }');
    expect(await after(pending, DEADLINE_MS - 10)).toBe('pending');
    const result = await after(pending, 20);
    expect(clientCode(result as ExecutionResult)).toEqual([{ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) }]);
  });

  it("a compiled query's resolver error keeps its path and cause and has extensions (Apollo reads their code)", async () => {
    const schema = buildSchema('type Query { broken: String }');
    schema.getQueryType()!.getFields().broken!.resolve = () => Promise.reject(new Error('Connection is closed.'));
    const result = await new CompiledExecutor(schema).execute({ schema, document: parse('{ broken }') });
    const [error] = result.errors!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.extensions).toEqual({});
    expect(error!.path).toEqual(['broken']);
    expect(error!.locations).toEqual([{ line: 1, column: 3 }]);
    expect(clientCode(result)).toEqual([{ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) }]);
  });
});

// An overloaded instance refuses sheddable mutations (sends, typing) before they run; the rest runs.
describe('CompiledExecutor shedding', () => {
  let runs: string[];
  let schema: GraphQLSchema;
  let overloaded: boolean;
  let executor: CompiledExecutor;

  beforeEach(() => {
    runs = [];
    overloaded = true;
    schema = buildSchema(
      'type Query { read: String! } type Mutation { send: String! typing: Boolean! match: String! }',
    );
    const fields = { ...schema.getQueryType()!.getFields(), ...schema.getMutationType()!.getFields() };
    for (const [name, field] of Object.entries(fields)) {
      field.resolve = () => {
        runs.push(name);
        return name === 'typing' ? true : name;
      };
    }
    fields.send!.extensions = { sheddable: true };
    fields.typing!.extensions = { sheddable: true };
    executor = new CompiledExecutor(schema, 0, () => overloaded);
  });

  const run = (query: string) => Promise.resolve(executor.execute({ schema, document: parse(query) }));
  const clientCode = (result: ExecutionResult) => result.errors?.map((e) => toClientError(e.toJSON(), e).extensions);

  it('answers a sheddable mutation UNAVAILABLE with retryAfterMs without running it while overloaded', async () => {
    for (const query of ['mutation { send }', 'mutation { typing s: send }']) {
      const result = await run(query);
      expect(result.data).toBeNull();
      expect(clientCode(result)).toEqual([{ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) }]);
    }
    expect(runs).toEqual([]);
  });

  it('runs queries, other mutations and a mutation with any other root field while overloaded', async () => {
    expect((await run('{ read }')).data).toEqual({ read: 'read' });
    expect((await run('mutation { match }')).data).toEqual({ match: 'match' });
    expect((await run('mutation { match send }')).data).toEqual({ match: 'match', send: 'send' });
    expect(runs).toEqual(['read', 'match', 'match', 'send']);
  });

  it('runs sheddable mutations when not overloaded, asking at each execution', async () => {
    overloaded = false;
    expect((await run('mutation { send }')).data).toEqual({ send: 'send' });
    overloaded = true;
    expect((await run('mutation { send }')).errors).toHaveLength(1);
    expect(runs).toEqual(['send']);
  });
});
