import { createTestBackend, type TestBackend } from './utils/backend';
import { codes, gql } from './utils/graphql';
import { ok } from './utils/ok';
import { spawnInstance, type SpawnedInstance } from './utils/spawn-instance';
import { signUpUser } from './utils/users';
import { openAcked } from './utils/ws-client';

const ME = '{ me { id } }';
const LOG_OUT = 'mutation($t: String) { logOut(refreshToken: $t) }';
const REFRESH = 'mutation($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const CHANGE = `mutation($c: String!, $n: String!) {
  changePassword(input: { currentPassword: $c, newPassword: $n }) { accessToken }
}`;

let backend: TestBackend;
let instance: SpawnedInstance;

beforeAll(async () => {
  backend = await createTestBackend();
  instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await instance?.stop();
  await backend.cleanup();
});

const me = (token: string) => gql<{ me: { id: string } }>(instance.graphqlUrl, ME, undefined, { token });

describe('login sessions are stored in the database (on the embedded default: the SQLite file)', () => {
  it('survive a crash of the server: tokens keep working, ended sessions stay ended', async () => {
    const stays = await signUpUser(instance.graphqlUrl);
    const leaves = await signUpUser(instance.graphqlUrl);
    const changes = await signUpUser(instance.graphqlUrl);
    ok(await gql(instance.graphqlUrl, LOG_OUT, { t: leaves.refreshToken }));
    const changed = ok(
      await gql<{ changePassword: { accessToken: string } }>(
        instance.graphqlUrl,
        CHANGE,
        { c: changes.password, n: 'another long secret' },
        { token: changes.accessToken },
      ),
    ).changePassword;

    // A crash, not a shutdown: nothing gets the chance to save anything.
    await instance.kill();
    instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'warn', PORT: String(instance.port) });

    expect(ok(await me(stays.accessToken)).me.id).toBe(stays.id);
    const socket = await openAcked(instance.wsUrl, stays.accessToken);
    socket.socket.close();
    const refreshed = ok(
      await gql<{ refreshToken: { accessToken: string; refreshToken: string } }>(instance.graphqlUrl, REFRESH, {
        t: stays.refreshToken,
      }),
    ).refreshToken;
    expect(ok(await me(refreshed.accessToken)).me.id).toBe(stays.id);
    expect(ok(await me(changed.accessToken)).me.id).toBe(changes.id);

    for (const ended of [leaves, changes]) {
      expect(codes(await me(ended.accessToken))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(instance.graphqlUrl, REFRESH, { t: ended.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    }
  });
});
