// Room list: `rooms(first: 20)` through the API vs the one SELECT that answers the same page (every
// field the API returns: room, my read pointer, the peer and their pointer, the last message and its
// sender) run by mysql2 directly. Two data sets:
// - "10k rooms": one user with 10,000 rooms (100 messages each: 1M messages in the database);
// - "original load shape": 10,003 users, a room between each pair of consecutive users, 110 messages
//   per room (1.1M messages), the shape the original system reported 631 TPS on.
import { gqlOk } from '../lib/graphql.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { alternate, variant } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { median } from '../lib/util.mjs';
import { ROOM_PAGE_SQL, explain, unreadCost } from './rooms-sql.mjs';

export const TARGET_RATIO = 0.5;
const ORIGINAL_TPS = 631;

const ROOM_FIELDS =
  'id peer { id nickname } lastMessage { id roomId seq sender { id nickname } body clientMessageId createdAt } unreadCount lastReadSeq peerLastReadSeq closed createdAt lastActivityAt';
/** @param {number} first */
export const roomsQuery = (first) =>
  `{ rooms(first: ${first}) { edges { cursor node { ${ROOM_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

/**
 * @param {string} token
 * @returns {import('../workers/http-load.mjs').LoadRequest}
 */
function request(token, first = 20) {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: roomsQuery(first) }),
  };
}

/**
 * SQL statements the instance ran per request (its db_queries_total around each of `n` sequential
 * requests), as the median: the instance's own background statements (the mail queue's poll) may
 * land inside one of them.
 * @param {import('../lib/api.mjs').ApiInstance} api
 * @param {string} token
 * @param {number} first
 * @param {number} n
 */
async function statementsPerRequest(api, token, first, n) {
  /** @type {number[]} */
  const deltas = [];
  for (let i = 0; i < n; i++) {
    const before = await api.metric('db_queries_total');
    await gqlOk(api.graphqlUrl, token, roomsQuery(first));
    deltas.push((await api.metric('db_queries_total')) - before);
  }
  return median(deltas);
}

/**
 * Runs the floor (mysql2) and the API (autocannon) alternately for one data set.
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {{ api: import('../lib/api.mjs').ApiInstance, database: string, users: string[], tokens: string[], label: string }} dataSet
 */
async function compare(ctx, { api, database, users, tokens, label }) {
  const { rounds, durationSec, connections } = ctx.scale.rooms;
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/mysql-load.mjs').MysqlLoad>} */
  const sqlLoad = startWorker('mysql-load.mjs', { name: 'mysql2-load' });
  /** @type {import('./me.mjs').HttpLoadWorker} */
  const httpLoad = startWorker('http-load.mjs', { name: 'autocannon' });
  try {
    const uri = `${ctx.db.url}/${database}`;
    const requests = tokens.map((t) => request(t));
    const floor = (seconds = durationSec) =>
      sqlLoad.call('run', {
        uri,
        sql: ROOM_PAGE_SQL,
        params: users.map((u) => [u]),
        connections,
        durationMs: seconds * 1000,
      });
    const viaApi = (seconds = durationSec) =>
      httpLoad.call('run', { url: api.url, requests, connections, durationSec: seconds });
    await floor(Math.min(2, durationSec));
    await viaApi(Math.min(2, durationSec));
    const runs = await alternate(
      rounds,
      [
        variant({
          name: 'floor',
          pids: { 'mysql2-load': sqlLoad.pid, mariadb: ctx.db.pid },
          run: () => floor(),
          summary: (r) => `${num(r.perSecond)} SELECT/s`,
        }),
        variant({
          name: 'api',
          pids: { api: api.pid, autocannon: httpLoad.pid, mariadb: ctx.db.pid, redis: ctx.redis.pid },
          run: () => viaApi(),
          summary: (r) => `${num(r.requestsPerSecond)} req/s`,
        }),
      ],
      (line) => ctx.log(`${label}${line}`),
    );
    const floorRate = median(runs.floor.map((r) => r.perSecond));
    const apiRate = median(runs.api.map((r) => r.requestsPerSecond));
    const errors = runs.api.reduce((n, r) => n + r.non2xx + r.errors + r.graphqlErrors, 0);
    const rows = [
      [
        'one SELECT via mysql2 (floor)',
        runs.floor.map((r) => num(r.perSecond)).join(' / '),
        num(floorRate),
        ms(median(runs.floor.map((r) => r.latency.p50))),
        ms(median(runs.floor.map((r) => r.latency.p99))),
        cpuLine(medianCpu(runs.floor.map((r) => r.cpu))),
      ],
      [
        '`rooms(first: 20)` on the API',
        runs.api.map((r) => num(r.requestsPerSecond)).join(' / '),
        num(apiRate),
        ms(median(runs.api.map((r) => r.latency.p50))),
        ms(median(runs.api.map((r) => r.latency.p99))),
        cpuLine(medianCpu(runs.api.map((r) => r.cpu))),
      ],
    ];
    const apiCpuMs = (10 * median(runs.api.map((r) => r.cpu.api?.percent))) / apiRate;
    const floorDbCpuMs = (10 * median(runs.floor.map((r) => r.cpu.mariadb?.percent))) / floorRate;
    return {
      floorRate,
      apiRate,
      ratio: apiRate / floorRate,
      rows,
      errors,
      apiCpuMs,
      floorDbCpuMs,
      firstError: runs.api.find((r) => r.firstError)?.firstError,
    };
  } finally {
    await sqlLoad.stop();
    await httpLoad.stop();
  }
}

/** @typedef {{ id: string, unreadCount: number }} PageRoom the fields the page check reads */
/** @typedef {{ id: string, last_seq: number, last_read_seq: number }} PageRow */

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchRooms(ctx) {
  const { api1, orig } = ctx.apis;
  const { k10, original } = ctx.data;
  const conn = await ctx.db.connect('bench');
  const origConn = await ctx.db.connect('bench_orig');
  try {
    // Correctness of the page before timing it: 20 rooms, newest first, unread from the counters.
    /** @type {{ data: { rooms: { edges: { node: PageRoom }[] } } }} */
    const answer = await gqlOk(api1.graphqlUrl, k10.token, roomsQuery(20));
    const page = answer.data.rooms.edges;
    const [result] = await conn.query(ROOM_PAGE_SQL, [k10.userId]);
    const sqlPage = /** @type {PageRow[]} */ (result);
    const pageMismatch =
      page.length !== 20 ||
      page.some((e, i) => {
        const row = sqlPage[i];
        return !row || e.node.id !== row.id || e.node.unreadCount !== row.last_seq - row.last_read_seq;
      })
        ? 1
        : 0;

    ctx.log('rooms: 10k-rooms user');
    const big = await compare(ctx, {
      api: api1,
      database: 'bench',
      users: [k10.userId],
      tokens: [k10.token],
      label: '  [10k] ',
    });
    ctx.log('rooms: original load shape');
    const shape = await compare(ctx, {
      api: orig,
      database: 'bench_orig',
      users: original.userIds,
      tokens: original.tokens,
      label: '  [orig] ',
    });

    const n = ctx.quick ? 5 : 30;
    // The original shape's first seeded user (the scale always seeds some).
    const [firstToken = '', firstUser = ''] = [original.tokens[0], original.userIds[0]];
    const statements = [
      ['10k-rooms user, first: 5', await statementsPerRequest(api1, k10.token, 5, n)],
      ['10k-rooms user, first: 20', await statementsPerRequest(api1, k10.token, 20, n)],
      ['10k-rooms user, first: 30', await statementsPerRequest(api1, k10.token, 30, n)],
      ['original shape (2 rooms), first: 20', await statementsPerRequest(orig, firstToken, 20, n)],
    ];
    const constant = new Set(statements.map(([, s]) => s)).size === 1;
    const unread = await unreadCost(conn, k10.userId, ctx.quick ? 3 : 10);
    const plans = { big: await explain(conn, k10.userId), shape: await explain(origConn, firstUser) };

    const met = big.ratio >= TARGET_RATIO;
    const metShape = shape.ratio >= TARGET_RATIO;
    const { note } = ctx.metrics;
    /**
     * Records one data set's numbers; returns its ratio's text.
     * @param {string} key
     * @param {Awaited<ReturnType<typeof compare>>} r
     */
    const noted = (key, r) => {
      note(`rooms.${key}.floor`, r.floorRate, 'perSecond');
      note(`rooms.${key}.api`, r.apiRate, 'perSecond');
      note(`rooms.${key}.apiCpuMsPerRequest`, r.apiCpuMs, 'ms');
      return note(`rooms.${key}.ratio`, r.ratio, 'share');
    };
    const bigText = noted('k10', big);
    const shapeText = noted('original', shape);
    const headers = ['path', 'per round', 'median per s', 'p50', 'p99', 'CPU (median, % of one core)'];
    const markdown = [
      `Concurrency ${ctx.scale.rooms.connections} on both sides (mysql2 connections / autocannon connections), ${ctx.scale.rooms.durationSec} s per phase, ${ctx.scale.rooms.rounds} rounds alternated after a warm-up. The floor is this one statement (text protocol, like the ORM):`,
      '',
      '```sql',
      ROOM_PAGE_SQL.trim(),
      '```',
      '',
      `#### One user with ${num(ctx.scale.rooms.k10Rooms)} rooms, ${num(ctx.scale.rooms.k10Rooms * ctx.scale.rooms.k10Messages)} messages in the database`,
      '',
      table(headers, big.rows),
      '',
      `**Ratio API / floor: ${bigText}** (target >= ${pct(TARGET_RATIO)}: ${verdict(met)}). Plan of the floor: \`${plans.big}\`.`,
      '',
      `#### The original system's load shape: ${num(ctx.scale.rooms.originalUsers)} users, a room between consecutive users, ${ctx.scale.rooms.originalMessages} messages per room`,
      '',
      `Requests rotate over ${original.tokens.length} users' tokens; the floor over the same users.`,
      '',
      table(headers, shape.rows),
      '',
      `**Ratio API / floor: ${shapeText}** (${verdict(metShape)}). **Our \`rooms\` req/s on this data: ${num(shape.apiRate)}**, beside the original system's ${ORIGINAL_TPS} TPS after its query fix (on a scaled-up server; ours is one API process on this 2-core machine, sharing it with MariaDB, Redis and the load generator). Plan of the floor: \`${plans.shape}\`.`,
      '',
      `#### SQL statements per \`rooms\` request (the instance's \`db_queries_total\` around each request, median of ${n})`,
      '',
      table(
        ['request', 'statements per request'],
        statements.map(([name, s]) => [name, num(s)]),
      ),
      '',
      `Constant whatever the page size and the number of rooms: ${constant ? 'yes' : '**no**'}.`,
      '',
      '#### Unread counts on the 10k-rooms user',
      '',
      `Each room of a page carries \`unreadCount = room.lastSeq - member.lastReadSeq\`: both are columns of rows the page already read, so unread counts cost **no statement and no row** beyond the page. For scale, the total over all ${num(ctx.scale.rooms.k10Rooms)} rooms:`,
      '',
      table(
        ['method', 'p50', 'rows read (Handler_read*)', 'total unread'],
        [
          [
            'counters: SUM(rooms.last_seq - room_members.last_read_seq)',
            ms(unread.counters.p50),
            num(unread.counters.rowsRead),
            num(unread.counters.value),
          ],
          [
            'scan: COUNT(*) of messages after the read pointer',
            ms(unread.scan.p50),
            num(unread.scan.rowsRead),
            num(unread.scan.value),
          ],
        ],
      ),
    ].join('\n');
    const errors = big.errors + shape.errors;
    return {
      ...section({
        id: 'rooms',
        title: 'Room list `rooms(first: 20)`',
        markdown,
        counters: {
          'rooms: failed requests': errors,
          'rooms: page differs from SQL': pageMismatch,
          'rooms: statements not constant': constant ? 0 : 1,
          'rooms: unread counters != scan': unread.counters.value === unread.scan.value ? 0 : 1,
        },
      }),
      targets: [
        { name: '`rooms` (10k-rooms user) req/s >= 50 % of the one SELECT', value: bigText, met },
        { name: '`rooms` (original shape) req/s >= 50 % of the one SELECT', value: shapeText, met: metShape },
        {
          name: 'SQL statements per `rooms` request constant',
          value: statements.map(([, s]) => num(s)).join(', '),
          met: constant,
        },
      ],
      data: { big, shape, statements, unread, firstError: big.firstError ?? shape.firstError },
    };
  } finally {
    await conn.end();
    await origConn.end();
  }
}
