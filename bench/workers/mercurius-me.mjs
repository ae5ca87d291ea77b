// The `me` peer row: fastify + mercurius with graphql-jit (each query compiled after its first use)
// answering `me` for real, with what the API does per request: the bearer token verified by the
// API's own AccessTokens (api/dist: HS256, iss, aud, exp), the session proven live by the API's SQL
// refresh-token store (`isActive`: one read of login_sessions in the same database) behind the API's own
// per-instance liveness cache (SessionLiveness, the API's default TTL), and the user's row read from
// the primary with one prepared statement (mysql2 `execute`, one pool), mapped as the API maps a
// user for their owner (toUserObject: createdAt a DateTime, the email shown to its owner).
import Fastify from 'fastify';
import { GraphQLDateTime } from 'graphql-scalars';
import mercurius from 'mercurius';
import mysql from 'mysql2/promise';
import { authModules } from '../lib/api-dist.mjs';
import { ME_TYPE_DEFS } from '../lib/me-schema.mjs';
import { ACCESS_TOKENS } from '../lib/seed.mjs';
import { listeningPort, serve } from './serve.mjs';

const ME_SQL =
  'SELECT id, email, nickname, gender, birth_year, created_at FROM users WHERE id = ? AND deleted_at IS NULL';
/** The API's session cache TTL (SESSION_CACHE_TTL's default). */
const SESSION_CACHE_TTL_MS = 3000;
/** The API's pool size (DATABASE_POOL_MAX's default). */
const POOL_CONNECTIONS = 10;

/** @typedef {{ id: string, email: string | null, nickname: string, gender: string | null, birth_year: number | null, created_at: Date }} UserRow */
/**
 * What `context` adds to mercurius' per-request context (optional here: mercurius' types know only
 * their own fields).
 * @typedef {{ viewerId?: string | null }} Context
 */

/** @param {UserRow} row the viewer's own row */
const toMe = (row) => ({
  id: row.id,
  nickname: row.nickname,
  email: row.email,
  gender: row.gender,
  birthYear: row.birth_year,
  createdAt: row.created_at,
});

export const methods = {
  /**
   * @param {object} args
   * @param {string} args.mysqlUri the instances' database
   * @param {string} args.jwtSecret
   */
  async start({ mysqlUri, jwtSecret }) {
    const { AccessTokens, sessionStore, SessionLiveness } = authModules();
    const tokens = new AccessTokens({ secret: jwtSecret, ...ACCESS_TOKENS });
    // DATETIME columns hold UTC (the API's ORM runs with forceUtcTimezone).
    const db = mysql.createPool({ uri: mysqlUri, connectionLimit: POOL_CONNECTIONS, timezone: 'Z' });
    const store = sessionStore(db);
    const sessions = new SessionLiveness((sid) => store.isActive(sid, new Date()), { ttlMs: SESSION_CACHE_TTL_MS });
    // The API listens to revocation events; nothing is revoked during the bench.
    sessions.setListening(true);

    /**
     * The signed-in user's id, or null (the API's SessionService.authenticate, minus its error text).
     * @param {string | undefined} header
     */
    const viewerOf = async (header) => {
      const token = header ? /^Bearer (\S+)$/i.exec(header.trim())?.[1] : undefined;
      const claims = token ? tokens.verify(token) : null;
      return claims && (await sessions.isLive(claims.sid)) ? claims.sub : null;
    };

    const app = Fastify({ keepAliveTimeout: 60_000 });
    await app.register(mercurius, {
      schema: ME_TYPE_DEFS,
      jit: 1,
      /** @returns {Promise<Context>} */
      context: async (request) => ({ viewerId: await viewerOf(request.headers.authorization) }),
      resolvers: {
        DateTime: GraphQLDateTime,
        Query: {
          /**
           * @param {unknown} _root
           * @param {unknown} _args
           * @param {import('mercurius').MercuriusContext & Context} context
           */
          me: async (_root, _args, { viewerId }) => {
            if (!viewerId) throw new mercurius.ErrorWithProps('Not signed in', { code: 'UNAUTHENTICATED' });
            const [rows] = await db.execute(ME_SQL, [viewerId]);
            const [row] = /** @type {UserRow[]} */ (rows);
            if (!row) throw new mercurius.ErrorWithProps('Your account no longer exists', { code: 'NOT_FOUND' });
            return toMe(row);
          },
        },
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: listeningPort(app.server), pid: process.pid };
  },
};
/** @typedef {typeof methods} MercuriusMe */

serve(methods);
