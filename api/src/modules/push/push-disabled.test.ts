import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { codes, gql } from '../../../test/utils/graphql';
import { ok } from '../../../test/utils/ok';
import { TestPushService } from '../../../test/utils/push-service';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser } from '../../../test/utils/users';

/**
 * Production without VAPID keys (docs/operations.md): no Web Push at all, and no key pair written
 * anywhere; the API says so instead of failing later.
 */
let api: TestServer;
let pushService: TestPushService;

beforeAll(async () => {
  pushService = await TestPushService.start();
  api = await startTestServer({
    env: {
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      // Mail is never sent here (sign-up without the emailed code).
      SMTP_URL: 'smtp://127.0.0.1:9',
      REQUIRE_EMAIL_VERIFICATION: 'false',
      // Production's password cost (at least 2^17): on a loaded machine hashing one takes longer
      // than the default 2 s operation deadline.
      PASSWORD_SCRYPT_LOG_N: '17',
      OPERATION_DEADLINE: '30s',
    },
  });
});

afterAll(async () => {
  await api?.close();
  await pushService?.close();
});

it('answers pushPublicKey null and refuses subscriptions with FORBIDDEN (PUSH_DISABLED), generating no keys', async () => {
  expect(ok(await gql(api.graphqlUrl, '{ pushPublicKey }')).pushPublicKey).toBeNull();
  const user = await signUpUser(api.graphqlUrl);
  const res = await gql(
    api.graphqlUrl,
    'mutation($input: PushSubscriptionInput!) { registerPushSubscription(input: $input) }',
    { input: pushService.device().input() },
    { token: user.accessToken },
  );
  expect(codes(res)).toEqual(['FORBIDDEN']);
  expect(res.errors?.[0]?.extensions?.reason).toBe('PUSH_DISABLED');
  expect(existsSync(path.join(api.backend.env.DATA_DIR!, 'vapid-keys.json'))).toBe(false);
});
