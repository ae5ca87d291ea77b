import { loadConfig } from '../../src/config';
import type { Clock } from '../../src/infra/clock';
import { startServer, type RunningServer } from '../../src/server';
import { createTestBackend, type TestBackend } from './backend';

/** Settings every test instance starts from: quiet, fast password hashing, a free port. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  PASSWORD_SCRYPT_LOG_N: '10',
  // Every test user comes from 127.0.0.1; the IP limits get their own tests.
  SIGNUP_MAX_PER_IP: '10000',
  LOGIN_MAX_ATTEMPTS_PER_IP: '10000',
  // Accounts are never new: tests send and match in bursts; the new accounts' limits get their own tests.
  NEW_ACCOUNT_PERIOD: '0',
  // No shedding: bursts in tests check concurrency, not overload (test/overload-shedding.test.ts).
  OVERLOAD_LAG: '0',
};

export interface TestServer {
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  backend: TestBackend;
  server: RunningServer;
  /** Stops the instance and, when it created it, its backend. */
  close(): Promise<void>;
}

/**
 * Starts an API instance in this process on a free port. Pass `backend` to share one database and
 * Redis prefix between instances; otherwise a fresh backend is created and dropped on close.
 * `clock` is the server's clock (see ServerOptions).
 */
export async function startTestServer(
  options: { env?: Record<string, string>; backend?: TestBackend; clock?: Clock } = {},
): Promise<TestServer> {
  const backend = options.backend ?? (await createTestBackend());
  const config = loadConfig({ ...TEST_ENV, ...backend.env, ...options.env });
  const server = await startServer(config, { clock: options.clock });
  return {
    url: server.url,
    graphqlUrl: `${server.url}/graphql`,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/graphql`,
    backend,
    server,
    async close() {
      await server.close();
      if (!options.backend) await backend.cleanup();
    },
  };
}
