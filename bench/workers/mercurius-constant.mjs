// A reference for `me` beside express + Apollo (apollo-http.mjs): fastify + mercurius with
// graphql-jit (each query compiled after its first use) answering the same query from the same
// constant, with no auth, database, Redis, logging or metrics. Apollo's constant rate over this one is
// what Apollo costs against a compiled-executor GraphQL server on the same machine.
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { CONSTANT_TYPE_DEFS } from '../lib/me-schema.mjs';
import { listeningPort, serve } from './serve.mjs';

export const methods = {
  /** @param {{ me: unknown }} args me: the `me` object the API returned (answered as is). */
  async start({ me }) {
    const app = Fastify({ keepAliveTimeout: 60_000 });
    await app.register(mercurius, { schema: CONSTANT_TYPE_DEFS, resolvers: { Query: { me: () => me } }, jit: 1 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: listeningPort(app.server), pid: process.pid };
  },
};
/** @typedef {typeof methods} MercuriusConstant */

serve(methods);
