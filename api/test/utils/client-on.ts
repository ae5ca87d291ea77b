import type { Client } from 'graphql-ws';
import { readCounter } from './metrics';
import { waitFor } from './wait-for';
import { wsClient } from './ws-client';

/**
 * Opens graphql-ws clients through a load balancer (`wsUrl`) until one lands on `target`, told
 * apart by the instances' `ws_open_sockets` gauge; the clients that landed elsewhere are closed.
 * Open one socket at a time: the gauge tells where the newest one went.
 */
export async function clientOn(
  wsUrl: string,
  token: string,
  target: { url: string },
  instances: { url: string }[],
  options: { retryAttempts?: number; retryWaitMs?: number } = {},
): Promise<Client> {
  const sockets = () => Promise.all(instances.map((i) => readCounter(i.url, 'ws_open_sockets').catch(() => 0)));
  for (let attempt = 1; attempt <= 8; attempt++) {
    const before = await sockets();
    const client = wsClient(wsUrl, token, options);
    let connected = false;
    const off = client.on('connected', () => (connected = true));
    await waitFor(() => connected, { timeoutMs: 5000, message: `a socket through ${wsUrl}` });
    off();
    let landed = -1;
    await waitFor(
      async () => {
        const after = await sockets();
        landed = after.findIndex((n, i) => n > before[i]!);
        return landed >= 0;
      },
      { timeoutMs: 2000, message: 'the new socket in some instance ws_open_sockets gauge' },
    );
    if (instances[landed]!.url === target.url) return client;
    await client.dispose();
    await waitFor(async () => (await sockets())[landed] === before[landed], {
      timeoutMs: 2000,
      message: 'the misplaced socket to close',
    });
  }
  throw new Error(`clientOn: no socket through ${wsUrl} landed on ${target.url} in 8 attempts`);
}
