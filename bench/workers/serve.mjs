// Worker side of bench/lib/worker.mjs: exposes an object's async methods over IPC.

/**
 * A worker's methods: each takes one argument (sent over IPC as JSON, `{}` when the caller gives
 * none) and resolves with its JSON-able result. `never` admits any argument type.
 * @typedef {Record<string, (args: never) => Promise<unknown>>} Methods
 */

/**
 * One call from the orchestrator.
 * @typedef {{ id: number, method: string, args?: unknown }} Call
 */

/**
 * @param {unknown} msg
 * @returns {msg is Call}
 */
const isCall = (msg) =>
  typeof msg === 'object' && msg !== null && 'method' in msg && typeof msg.method === 'string' && 'id' in msg;

/**
 * The TCP port a server listens on (after `listen`).
 * @param {import('node:net').Server} server
 */
export function listeningPort(server) {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  return address.port;
}

/** @param {Methods} methods */
export function serve(methods) {
  const send = process.send?.bind(process);
  if (!send) throw new Error('a bench worker runs under fork() with an IPC channel');
  /** @param {Call} msg */
  const answer = async (msg) => {
    try {
      const fn = methods[msg.method];
      if (!fn) throw new Error(`no method ${msg.method}`);
      // The argument is what the caller passed for this method (typed by Worker<M>.call).
      const result = await /** @type {(args: unknown) => Promise<unknown>} */ (fn)(msg.args ?? {});
      send({ id: msg.id, result: result ?? null });
    } catch (err) {
      send({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  };
  process.on('message', (msg) => {
    if (isCall(msg)) void answer(msg);
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}
