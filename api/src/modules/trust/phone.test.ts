import path from 'node:path';
import { Chatter } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql, type GraphqlResponse } from '../../../test/utils/graphql';
import { area, MatchPlayer } from '../../../test/utils/match-player';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { startSmsGateway, type TestSmsGateway } from '../../../test/utils/sms-gateway';
import { testClock } from '../../../test/utils/test-clock';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser, type TestUser } from '../../../test/utils/users';
import { waitFor } from '../../../test/utils/wait-for';
import { createOutboxMailer } from '../../infra/mail/mailer.outbox';

const REQUEST = 'mutation($phone: String!) { requestPhoneCode(phone: $phone) }';
const VERIFY =
  'mutation($phone: String!, $code: String!) { verifyPhone(phone: $phone, code: $code) { id phoneVerified maskedPhone } }';
const ME = '{ me { phoneVerified maskedPhone } }';

/** Where a test reads the SMS an instance sent: the HTTP gateway it posted to, or the dev outbox. */
interface SmsInbox {
  env: Record<string, string>;
  /** The code in the latest SMS to `to` (E.164), after `count` SMS to it arrived. */
  code(to: string, count?: number): Promise<string>;
  close(): Promise<void>;
}

async function gatewayInbox(): Promise<SmsInbox & { gateway: TestSmsGateway }> {
  const gateway = await startSmsGateway();
  const texts = (to: string) => gateway.requests.filter((r) => r.body.to === to).map((r) => r.body.text);
  return {
    gateway,
    env: { SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_KEY: 'test-key', SMS_SENDER: '15880000' },
    async code(to, count = 1) {
      await waitFor(() => texts(to).length >= count, { message: `${count} SMS to ${to}` });
      return /\b(\d{6})\b/.exec(texts(to).at(-1)!)![1]!;
    },
    close: () => gateway.close(),
  };
}

function outboxInbox(api: () => TestServer): SmsInbox {
  const texts = async (to: string) => {
    const outbox = createOutboxMailer(path.join(api().backend.env.DATA_DIR!, 'outbox'), { from: '' });
    return (await outbox.list()).filter((m) => m.to === to && m.subject === 'SMS').map((m) => m.text);
  };
  return {
    env: {},
    async code(to, count = 1) {
      let found: string[] = [];
      await waitFor(async () => (found = await texts(to)).length >= count, { message: `${count} SMS to ${to}` });
      return /\b(\d{6})\b/.exec(found[0]!)![1]!; // newest first
    },
    close: async () => undefined,
  };
}

const call = (api: TestServer, user: TestUser, query: string, variables?: Record<string, unknown>) =>
  gql(api.graphqlUrl, query, variables, { token: user.accessToken });
const refusal = (res: GraphqlResponse) => ({ codes: codes(res), field: res.errors?.[0]?.extensions?.field });

describe.each(['dev outbox', 'HTTP gateway'])('phone verification with the %s', (transport) => {
  const clock = testClock();
  let api: TestServer;
  let inbox: SmsInbox;
  let gateway: TestSmsGateway | undefined;

  beforeAll(async () => {
    if (transport === 'HTTP gateway') {
      const g = await gatewayInbox();
      gateway = g.gateway;
      inbox = g;
    } else {
      inbox = outboxInbox(() => api);
    }
    api = await startTestServer({
      env: { ...inbox.env, PHONE_CODE_TTL: '5m', PHONE_CODE_MAX_ATTEMPTS: '3' },
      clock: clock.read,
    });
  });
  afterAll(async () => {
    await api.close();
    await inbox.close();
  });

  it('sends a code to the number in E.164 and verifies it; me shows the phone verified', async () => {
    const user = await signUpUser(api.graphqlUrl);
    expect(ok(await call(api, user, ME)).me).toEqual({ phoneVerified: false, maskedPhone: null });
    expect(ok(await call(api, user, REQUEST, { phone: '010-2000-0001' })).requestPhoneCode).toBe(true);
    const code = await inbox.code('+821020000001');
    const verified = ok(await call(api, user, VERIFY, { phone: '+82 10 2000 0001', code })).verifyPhone;
    expect(verified).toEqual({ id: user.id, phoneVerified: true, maskedPhone: '+82******0001' });
    expect(ok(await call(api, user, ME)).me).toEqual({ phoneVerified: true, maskedPhone: '+82******0001' });
    const [row] = await queryDb<{ phone: string }>(api.backend, 'SELECT phone FROM users WHERE id = ?', [user.id]);
    expect(row!.phone).toBe('+821020000001');
    // Used up: the same code again is refused.
    expect(refusal(await call(api, user, VERIFY, { phone: '01020000001', code }))).toEqual({
      codes: ['BAD_USER_INPUT'],
      field: 'code',
    });
    if (gateway) {
      expect(gateway.requests.at(-1)).toMatchObject({
        authorization: 'Bearer test-key',
        body: { to: '+821020000001', from: '15880000' },
      });
      expect(gateway.requests.at(-1)!.body.text).toMatch(/^\[randchat\] 인증번호 \d{6} \(5분 유효\)/);
    }
  });

  it('refuses a wrong code, a code after its attempts and an expired code', async () => {
    const user = await signUpUser(api.graphqlUrl);
    ok(await call(api, user, REQUEST, { phone: '01020000002' }));
    const code = await inbox.code('+821020000002');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      expect(refusal(await call(api, user, VERIFY, { phone: '01020000002', code: wrong }))).toEqual({
        codes: ['BAD_USER_INPUT'],
        field: 'code',
      });
    }
    // Three attempts spent: even the right code is refused now.
    expect(codes(await call(api, user, VERIFY, { phone: '01020000002', code }))).toEqual(['BAD_USER_INPUT']);

    const late = await signUpUser(api.graphqlUrl);
    ok(await call(api, late, REQUEST, { phone: '01020000003' }));
    const lateCode = await inbox.code('+821020000003');
    clock.advance(5 * 60_000 + 1000);
    try {
      expect(codes(await call(api, late, VERIFY, { phone: '01020000003', code: lateCode }))).toEqual([
        'BAD_USER_INPUT',
      ]);
    } finally {
      clock.advance(-(5 * 60_000 + 1000));
    }
    expect(ok(await call(api, late, ME)).me.phoneVerified).toBe(false);
  });

  it('refuses numbers that cannot receive SMS, and a second code to a number within the resend interval', async () => {
    const user = await signUpUser(api.graphqlUrl);
    for (const phone of ['12:30', '010-123', '02-123-4567', 'call me']) {
      expect({ phone, ...refusal(await call(api, user, REQUEST, { phone })) }).toEqual({
        phone,
        codes: ['BAD_USER_INPUT'],
        field: 'phone',
      });
    }
    ok(await call(api, user, REQUEST, { phone: '010 2000 0004' }));
    const again = await call(api, user, REQUEST, { phone: '+821020000004' });
    expect(codes(again)).toEqual(['RATE_LIMITED']);
    expect(again.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('lets one account only verify a number: CONFLICT for the second', async () => {
    const first = await signUpUser(api.graphqlUrl);
    const second = await signUpUser(api.graphqlUrl);
    ok(await call(api, first, REQUEST, { phone: '01020000005' }));
    ok(await call(api, first, VERIFY, { phone: '01020000005', code: await inbox.code('+821020000005') }));
    // The resend interval is per number, whichever account asks.
    expect(codes(await call(api, second, REQUEST, { phone: '01020000005' }))).toEqual(['RATE_LIMITED']);
    // Rather than wait it out (the limiter counts real seconds), the second account asks on another
    // server sharing the database but not the rate limits (its own Redis prefix, under the test's).
    const prefix = api.backend.env.REDIS_PREFIX;
    const other = await startTestServer({
      backend: api.backend,
      env: { ...inbox.env, ...(prefix ? { REDIS_PREFIX: `${prefix}b:` } : {}) },
      clock: clock.read,
    });
    try {
      ok(await gql(other.graphqlUrl, REQUEST, { phone: '+82 10 2000 0005' }, { token: second.accessToken }));
      const code = await inbox.code('+821020000005', 2);
      const conflict = await gql(
        other.graphqlUrl,
        VERIFY,
        { phone: '01020000005', code },
        { token: second.accessToken },
      );
      expect(codes(conflict)).toEqual(['CONFLICT']);
      expect(conflict.errors![0]!.message).toBe('This phone number is already verified on another account');
      expect(ok(await call(api, second, ME)).me.phoneVerified).toBe(false);
      // The first account keeps the number.
      const [row] = await queryDb<{ id: string }>(api.backend, 'SELECT id FROM users WHERE phone = ?', [
        '+821020000005',
      ]);
      expect(row!.id).toBe(first.id);
    } finally {
      await other.close();
    }
  });
});

describe('REQUIRE_PHONE_VERIFICATION=true', () => {
  let api: TestServer;
  let inbox: SmsInbox & { gateway: TestSmsGateway };
  const players: MatchPlayer[] = [];

  beforeAll(async () => {
    inbox = await gatewayInbox();
    api = await startTestServer({ env: { ...inbox.env, REQUIRE_PHONE_VERIFICATION: 'true' } });
  });
  afterAll(async () => {
    await Promise.all(players.map((p) => p.close()));
    await api.close();
    await inbox.close();
  });

  const verify = async (user: TestUser, phone: string) => {
    ok(await call(api, user, REQUEST, { phone }));
    ok(await call(api, user, VERIFY, { phone, code: await inbox.code(phone) }));
  };

  it('refuses requestMatch and sendMessage without a verified phone, with the reason; allows them after', async () => {
    expect(ok(await gql(api.graphqlUrl, '{ trustPolicy { phoneVerificationRequired } }')).trustPolicy).toEqual({
      phoneVerificationRequired: true,
    });
    const a = await MatchPlayer.create(api);
    const b = await MatchPlayer.create(api);
    players.push(a, b);
    const refused = await a.request(area(5), 5);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions!.reason).toBe('PHONE_VERIFICATION_REQUIRED');
    expect(refused.errors![0]!.message).toMatch(/Verify your phone number to find a match/);

    await verify(a.user, '+821030000001');
    await verify(b.user, '+821030000002');
    const { roomId } = await createRoomPair(api, 6, { a, b });
    ok(await new Chatter(a.user, api.graphqlUrl).send(roomId, 'hello, verified'));

    // A member whose phone is no longer verified (e.g. the rule was switched on later) cannot send.
    await queryDb(api.backend, 'UPDATE users SET phone = NULL, phone_verified_at = NULL WHERE id = ?', [b.id]);
    const send = await new Chatter(b.user, api.graphqlUrl).send(roomId, 'hi');
    expect(codes(send)).toEqual(['FORBIDDEN']);
    expect(send.errors![0]!.extensions!.reason).toBe('PHONE_VERIFICATION_REQUIRED');
  });
});
