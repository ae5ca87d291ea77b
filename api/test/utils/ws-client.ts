import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A graphql-ws client as third parties use it; `lazy: false` so connection errors surface at once.
 * With `retryAttempts` it reconnects after a lost socket and resubscribes by itself, waiting
 * `retryWaitMs` (default: graphql-ws's randomised exponential backoff) between attempts.
 */
export function wsClient(
  url: string,
  token?: string,
  options: { retryAttempts?: number; retryWaitMs?: number } = {},
): Client {
  const { retryWaitMs } = options;
  return createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    // Connection errors reach the subscribe sinks; the default would print them to the console.
    onNonLazyError: () => undefined,
    retryAttempts: options.retryAttempts ?? 0,
    ...(retryWaitMs !== undefined
      ? { retryWait: () => new Promise<void>((resolve) => setTimeout(resolve, retryWaitMs)) }
      : {}),
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Opens a raw socket with the given connection_init payload; resolves with the close code. */
export function closeCodeOf(
  url: string,
  payload: Record<string, unknown> = {},
  protocol = 'graphql-transport-ws',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocol);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

/** Opens a raw socket, completes connection_init and resolves once acknowledged. */
export function openAcked(url: string, token: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (raw) => {
      if (JSON.parse(String(raw)).type === 'connection_ack') resolve({ socket, closed });
    });
    socket.on('error', reject);
    void closed.then((code) => reject(new Error(`closed with ${code} before ack`)));
  });
}
