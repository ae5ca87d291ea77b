import { spawn } from 'node:child_process';
import path from 'node:path';
import { backendKind, createTestBackend, type TestBackend } from './utils/backend';
import { gql } from './utils/graphql';
import { spawnInstance } from './utils/spawn-instance';
import { MatchPlayer, north } from './utils/match-player';
import { signUpUser } from './utils/users';
import { openAcked } from './utils/ws-client';

const MAIN = path.resolve(__dirname, '../dist/main.js');

let backend: TestBackend;

beforeAll(async () => {
  backend = await createTestBackend();
});

afterAll(() => backend.cleanup());

describe('process start-up and shutdown', () => {
  it('exits with one clear line naming a bad variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });

  it('shuts down gracefully on SIGTERM: sockets get a reconnectable 1012, the process exits 0', async () => {
    const instance = await spawnInstance(backend.env);
    const user = await signUpUser(instance.graphqlUrl);
    const { closed } = await openAcked(instance.wsUrl, user.accessToken);
    const exitCode = instance.stop();
    expect(await closed).toBe(1012);
    expect(await exitCode).toBe(0);
    expect(instance.output()).not.toContain(user.password);
    expect(instance.output()).not.toContain(user.refreshToken);
  });
});

describe('location privacy in logs', () => {
  it('never writes a coordinate to the log, even at debug level with SQL logging', async () => {
    const instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'debug' });
    try {
      const [a, b] = [await MatchPlayer.create(instance), await MatchPlayer.create(instance)];
      await a.request({ lat: 41.387654, lon: 2.168765 }, 5);
      await b.request({ lat: 41.397654, lon: 2.168765 }, 5);
      const offer = await a.next('OFFERED');
      await Promise.all([a.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
      await a.next('MATCHED');
      await Promise.all([a.disconnect(), b.disconnect()]);
      expect(instance.output()).toMatch(/"path":"\/graphql","status":200,.*"msg":"http"/);
      expect(instance.output()).not.toMatch(/41\.3|2\.16/);
    } finally {
      await instance.stop();
    }
  });
});

const realOnly = backendKind() === 'real' ? describe : describe.skip;

realOnly('two API processes on one MariaDB and Redis', () => {
  it('closes a socket held by one instance when its session is logged out on the other', async () => {
    const [one, two] = await Promise.all([spawnInstance(backend.env), spawnInstance(backend.env)]);
    try {
      const user = await signUpUser(one.graphqlUrl);
      const { closed } = await openAcked(two.wsUrl, user.accessToken);
      const loggedOutAt = Date.now();
      await gql(one.graphqlUrl, 'mutation($t: String) { logOut(refreshToken: $t) }', { t: user.refreshToken });
      expect(await closed).toBe(4401);
      expect(Date.now() - loggedOutAt).toBeLessThan(2_000);
      const me = await gql(two.graphqlUrl, '{ me { id } }', undefined, { token: user.accessToken });
      expect(me.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('offers a match to a user subscribed on instance 1 when the partner requests on instance 2', async () => {
    const [one, two] = await Promise.all([spawnInstance(backend.env), spawnInstance(backend.env)]);
    try {
      const a = await MatchPlayer.create(one);
      const b = await MatchPlayer.create(two);
      const here = { lat: -33.86, lon: 151.2 };
      await a.request(here, 5, one.graphqlUrl);
      await b.request(north(here, 2), 5, two.graphqlUrl);
      const offer = await a.next('OFFERED');
      expect(offer.partner!.id).toBe(b.id);
      await Promise.all([a.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
      expect((await a.next('MATCHED')).room!.peer.id).toBe(b.id);
      await Promise.all([a.disconnect(), b.disconnect()]);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });
});
