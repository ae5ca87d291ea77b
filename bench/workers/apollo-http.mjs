// A reference for `me`: the API's HTTP framework (express 5 + Apollo Server 5, with express.json and
// no plugins) answering the same query from a constant, with no auth, database, Redis, logging or
// metrics. What it costs beside bare node:http is the framework's, not randchat's.
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { CONSTANT_TYPE_DEFS } from '../lib/me-schema.mjs';
import { listeningPort, serve } from './serve.mjs';

export const methods = {
  /** @param {{ me: unknown }} args me: the `me` object the API returned (answered as is). */
  async start({ me }) {
    const apollo = new ApolloServer({ typeDefs: CONSTANT_TYPE_DEFS, resolvers: { Query: { me: () => me } } });
    await apollo.start();
    const app = express();
    app.disable('x-powered-by');
    app.use('/graphql', express.json(), expressMiddleware(apollo, { context: async () => ({}) }));
    /** @type {import('node:http').Server} */
    const server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    server.keepAliveTimeout = 60_000;
    return { port: listeningPort(server), pid: process.pid };
  },
};
/** @typedef {typeof methods} ApolloHttp */

serve(methods);
