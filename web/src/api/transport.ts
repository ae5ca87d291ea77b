/**
 * Operations sent over the already authenticated WebSocket while it is connected (no HTTP request,
 * no token check per call); over HTTP otherwise. A send retried after a reconnect carries the same
 * clientMessageId, so the server stores it once. The catch-up after a reconnect goes over the
 * socket that just reconnected: an HTTP request may need a new connection to an instance, and an
 * instance busy with the clients of one that died accepts new connections slowly.
 */
const OVER_SOCKET = new Set(['SendMessage', 'MessagesAfter']);

/** Whether an operation goes over the WebSocket: every subscription, and OVER_SOCKET while connected. */
export function runsOverSocket(
  definition: { kind: string; operation?: string },
  operationName: string,
  socketConnected: boolean,
): boolean {
  if (definition.kind !== 'OperationDefinition') return false;
  if (definition.operation === 'subscription') return true;
  return socketConnected && OVER_SOCKET.has(operationName);
}
