import type { IncomingMessage } from 'node:http';
import type { Context } from 'graphql-ws';

/**
 * Drops what graphql-ws keeps on a socket's context for the socket's whole life although nothing
 * reads it after `onConnect`: the connection_init payload (`ctx.connectionParams`, with the bearer
 * token) and the HTTP upgrade request that `graphql-ws/use/ws` puts in `ctx.extra.request`, with
 * all its headers. Sockets bench, 20k idle roomEvents sockets, two alternated runs each: 12.09 KB
 * of heap per socket with them kept, 10.53 KB with them dropped (runs of the same code differ by
 * under 0.05 KB of heap; RSS per socket moves by several KB between runs and does not show it).
 *
 * Both fields belong to graphql-ws (readonly in its typings): ws-connection-state.test.ts fails
 * when a graphql-ws upgrade moves them or keeps another reference to them.
 */
export function dropConnectionState(ctx: Context<Record<string, unknown>, { request?: IncomingMessage }>): void {
  // Assigned, not deleted: `delete` would turn both objects into slower, larger dictionary-mode ones.
  (ctx as { connectionParams?: unknown }).connectionParams = undefined;
  ctx.extra.request = undefined;
}
