import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';

export interface OperationOutcome {
  /** The server's messages for this operation id (`next`, then `complete`; or `error`). */
  messages: { type: string; payload?: any }[];
  /** The `extensions.code` of every error in them. */
  codes: unknown[];
}

/**
 * Runs one operation on a raw, acknowledged graphql-transport-ws socket (see `openAcked`) and
 * resolves when the server ends it with `complete` or `error`; rejects on close or after `timeoutMs`.
 */
export function runOnSocket(
  socket: WebSocket,
  query: string,
  variables?: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<OperationOutcome> {
  const id = randomUUID();
  const messages: OperationOutcome['messages'] = [];
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(deadline);
      socket.off('message', onMessage);
      socket.off('close', onClose);
    };
    const onMessage = (raw: WebSocket.RawData) => {
      const message = JSON.parse(String(raw));
      if (message.id !== id) return;
      messages.push(message);
      if (message.type !== 'complete' && message.type !== 'error') return;
      done();
      const errors = messages.flatMap((m) =>
        m.type === 'error' ? m.payload : m.type === 'next' ? (m.payload.errors ?? []) : [],
      );
      resolve({ messages, codes: errors.map((e: { extensions?: { code?: unknown } }) => e.extensions?.code) });
    };
    const onClose = (code: number) => {
      done();
      reject(new Error(`runOnSocket: the socket closed with ${code} during ${query}`));
    };
    const deadline = setTimeout(() => {
      done();
      reject(
        new Error(
          `runOnSocket: no complete or error within ${timeoutMs} ms for ${query} (got ${JSON.stringify(messages)})`,
        ),
      );
    }, timeoutMs);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  });
}
