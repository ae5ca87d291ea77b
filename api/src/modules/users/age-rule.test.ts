import { randomBytes } from 'node:crypto';
import { codes, gql, type GraphqlResponse } from '../../../test/utils/graphql';
import { ok } from '../../../test/utils/ok';
import { testClock } from '../../../test/utils/test-clock';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { SIGN_UP, signUpUser } from '../../../test/utils/users';

const YEAR = new Date().getUTCFullYear();
/** The first and the last second of this year, UTC. */
const JAN_1 = Date.UTC(YEAR, 0, 1, 0, 0, 1);
const DEC_31_BEFORE = Date.UTC(YEAR - 1, 11, 31, 23, 59, 59);
const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { birthYear } }`;
const POLICY = '{ trustPolicy { adultAge maxAdultBirthYear } }';

const clock = testClock(JAN_1);
let api: TestServer;

const signUp = (graphqlUrl: string, birthYear: number) =>
  gql(graphqlUrl, SIGN_UP, {
    input: {
      email: `a${randomBytes(5).toString('hex')}@example.test`,
      password: 'a long passphrase',
      nickname: 'Age',
      birthYear,
    },
  });

const refusal = (res: GraphqlResponse) => ({ codes: codes(res), field: res.errors?.[0]?.extensions?.field });

beforeAll(async () => {
  api = await startTestServer({ clock: clock.read });
});

afterAll(async () => {
  await api.close();
});

describe('the age rule (ADULT_AGE 19: adult from January 1 of the year one turns 19)', () => {
  it(`accepts on January 1 someone born in ${YEAR - 19}, refuses someone born in ${YEAR - 18}`, async () => {
    clock.now = JAN_1;
    ok(await signUp(api.graphqlUrl, YEAR - 19));
    const minor = await signUp(api.graphqlUrl, YEAR - 18);
    expect(refusal(minor)).toEqual({ codes: ['BAD_USER_INPUT'], field: 'birthYear' });
    expect(minor.errors![0]!.message).toBe(
      `birthYear must be ${YEAR - 19} or earlier: members must be adults, which is from January 1 of the year they ` +
        `turn 19 (born in ${YEAR - 18}: from January 1, ${YEAR + 1})`,
    );
    expect(ok(await gql(api.graphqlUrl, POLICY)).trustPolicy).toEqual({
      adultAge: 19,
      maxAdultBirthYear: YEAR - 19,
    });
  });

  it(`refuses someone born in ${YEAR - 19} on the last day of the year before`, async () => {
    clock.now = DEC_31_BEFORE;
    expect(refusal(await signUp(api.graphqlUrl, YEAR - 19))).toEqual({ codes: ['BAD_USER_INPUT'], field: 'birthYear' });
    ok(await signUp(api.graphqlUrl, YEAR - 20));
  });

  it('applies to profile changes too, and lets the year be cleared', async () => {
    clock.now = JAN_1;
    const user = await signUpUser(api.graphqlUrl, { birthYear: YEAR - 30 });
    const update = (birthYear: number | null) =>
      gql(api.graphqlUrl, UPDATE, { input: { birthYear } }, { token: user.accessToken });
    expect(refusal(await update(YEAR - 18))).toEqual({ codes: ['BAD_USER_INPUT'], field: 'birthYear' });
    expect(ok(await update(YEAR - 19)).updateProfile).toEqual({ birthYear: YEAR - 19 });
    expect(ok(await update(null)).updateProfile).toEqual({ birthYear: null });
  });
});

describe('ADULT_AGE', () => {
  it('is configurable: with 18, someone born in this year - 18 is an adult on January 1', async () => {
    const other = await startTestServer({ env: { ADULT_AGE: '18' }, clock: () => JAN_1 });
    try {
      ok(await signUp(other.graphqlUrl, YEAR - 18));
      expect(refusal(await signUp(other.graphqlUrl, YEAR - 17))).toEqual({
        codes: ['BAD_USER_INPUT'],
        field: 'birthYear',
      });
      expect(ok(await gql(other.graphqlUrl, POLICY)).trustPolicy).toEqual({
        adultAge: 18,
        maxAdultBirthYear: YEAR - 18,
      });
    } finally {
      await other.close();
    }
  });
});
