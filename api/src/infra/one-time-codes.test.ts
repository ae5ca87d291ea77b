import { randomUUID } from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';
import { createTestBackend, type TestBackend } from '../../test/utils/backend';
import { testClock } from '../../test/utils/test-clock';
import { TEST_ENV } from '../../test/utils/test-server';
import { loadConfig } from '../config';
import { createOrm, type Orm } from './db/orm';
import { OneTimeCodes, type OneTimeCodeRow } from './one-time-codes';

interface TestCode extends OneTimeCodeRow {
  owner: string;
}
const TestCode = new EntitySchema<TestCode>({
  name: 'TestCode',
  tableName: 'one_time_code_probes',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    owner: { type: 'string', length: 64, unique: true },
    codeHash: { type: 'string', length: 64 },
    attempts: { type: 'integer' },
    expiresAt: { type: 'datetime', length: 3 },
  },
});

const TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 3;
const clock = testClock();
let backend: TestBackend;
let orm: Orm;
const codes = new OneTimeCodes({
  entity: TestCode,
  secret: 'test secret',
  ttlMs: TTL_MS,
  maxAttempts: MAX_ATTEMPTS,
  clock: clock.read,
  field: 'code',
});

beforeAll(async () => {
  backend = await createTestBackend();
  orm = await createOrm(loadConfig({ ...TEST_ENV, ...backend.env }), [TestCode]);
  await orm.schema.createSchema();
});

afterAll(async () => {
  await orm?.close();
  await backend?.cleanup();
});

/** A code sent for `scope`, stored for a fresh owner the way a module stores it. */
async function issued(scope = ['sign-up', 'a@example.test']) {
  const owner = randomUUID();
  const { code, codeHash, expiresAt } = codes.create(scope);
  const id = randomUUID();
  await orm.em.fork().insert(TestCode, { id, owner, codeHash, expiresAt, attempts: 0 });
  return { owner, code, id, scope };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (err: { message: string; extensions: unknown }) => ({ message: err.message, extensions: err.extensions }),
  );
const REFUSED = {
  message: 'The code is wrong, used up or expired; request a new one',
  extensions: { code: 'BAD_USER_INPUT', field: 'code' },
};
const attemptsOf = async (owner: string) => (await orm.em.fork().findOneOrFail(TestCode, { owner })).attempts;
const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');

describe('create', () => {
  it('makes a six-digit code that expires ttlMs after the clock, and keeps only a hash of it', () => {
    const { code, codeHash, expiresAt } = codes.create(['sign-up', 'a@example.test']);
    expect(code).toMatch(/^\d{6}$/);
    expect(expiresAt.getTime()).toBe(clock.now + TTL_MS);
    expect(codeHash).toMatch(/^[\w-]{43}$/);
    expect(codeHash).not.toContain(code);
  });
});

describe('verify', () => {
  it('accepts the code for its scope and returns the row id', async () => {
    const { owner, code, id, scope } = await issued();
    expect(await codes.verify(orm.em.fork(), { owner }, scope, code)).toBe(id);
  });

  it('refuses the right code presented for another scope (the hash binds what it was sent for)', async () => {
    const { owner, code } = await issued(['sign-up', 'a@example.test']);
    expect(await refusal(codes.verify(orm.em.fork(), { owner }, ['sign-up', 'b@example.test'], code))).toEqual(REFUSED);
  });

  it('refuses a code once the clock passed its expiry, without spending an attempt', async () => {
    const { owner, code, scope } = await issued();
    clock.advance(TTL_MS);
    try {
      expect(await refusal(codes.verify(orm.em.fork(), { owner }, scope, code))).toEqual(REFUSED);
    } finally {
      clock.advance(-TTL_MS);
    }
    expect(await attemptsOf(owner)).toBe(0);
  });

  it('spends an attempt on every guess and refuses even the right code after maxAttempts', async () => {
    const { owner, code, scope } = await issued();
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      expect(await refusal(codes.verify(orm.em.fork(), { owner }, scope, otherThan(code)))).toEqual(REFUSED);
      expect(await attemptsOf(owner)).toBe(i);
    }
    expect(await refusal(codes.verify(orm.em.fork(), { owner }, scope, code))).toEqual(REFUSED);
    expect(await attemptsOf(owner)).toBe(MAX_ATTEMPTS);
  });

  it('lets parallel guesses spend no more than maxAttempts', async () => {
    const { owner, code, scope } = await issued();
    const guesses = Array.from({ length: 10 }, () => refusal(codes.verify(orm.em.fork(), { owner }, scope, code)));
    const answers = await Promise.all(guesses);
    expect(answers.filter((a) => a === 'accepted')).toHaveLength(MAX_ATTEMPTS);
    expect(await attemptsOf(owner)).toBe(MAX_ATTEMPTS);
  });

  it('refuses a code when no row matches', async () => {
    expect(await refusal(codes.verify(orm.em.fork(), { owner: randomUUID() }, ['x'], '123456'))).toEqual(REFUSED);
  });
});

describe('redeem', () => {
  it('uses a verified code up: the second redeem and a later verify are refused', async () => {
    const { owner, code, scope } = await issued();
    const id = await codes.verify(orm.em.fork(), { owner }, scope, code);
    await codes.redeem(orm.em.fork(), id);
    expect(await refusal(codes.redeem(orm.em.fork(), id))).toEqual(REFUSED);
    expect(await refusal(codes.verify(orm.em.fork(), { owner }, scope, code))).toEqual(REFUSED);
  });
});
