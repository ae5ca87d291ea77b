// Room list: `rooms(first: 20)` through the API vs the one SELECT that answers the same page (every
// field the API returns: room, my read pointer, the peer and their pointer, the last message and its
// sender) run by mysql2 directly. Two data sets:
// - "10k rooms": one user with 10,000 rooms (100 messages each: 1M messages in the database);
// - "original load shape": 10,003 users, a room between each pair of consecutive users, 110 messages
//   per room (1.1M messages), the shape the original system reported 631 TPS on.
import { gqlOk } from '../lib/graphql.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { alternate } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { median, percentile } from '../lib/util.mjs';

export const TARGET_RATIO = 0.5;
const ORIGINAL_TPS = 631;

const ROOM_FIELDS =
  'id peer { id nickname } lastMessage { id roomId seq sender { id nickname } body clientMessageId createdAt } unreadCount lastReadSeq peerLastReadSeq closed createdAt lastActivityAt';
export const roomsQuery = (first) =>
  `{ rooms(first: ${first}) { edges { cursor node { ${ROOM_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

/** The page in one statement: what a hand-written query would fetch for the same JSON. */
export const ROOM_PAGE_SQL = `
SELECT r.id, r.last_seq, r.created_at, r.last_activity_at, r.closed_at, r.closed_reason, r.distance_km,
       me.last_read_seq, p.last_read_seq AS peer_last_read_seq,
       pu.id AS peer_id, pu.nickname AS peer_nickname, pu.gender AS peer_gender, pu.birth_year AS peer_birth_year, pu.photo_id AS peer_photo_id,
       lm.id AS message_id, lm.seq AS message_seq, lm.body, lm.client_message_id, lm.created_at AS message_created_at, lm.image_id,
       su.id AS sender_id, su.nickname AS sender_nickname
FROM room_members me
JOIN rooms r ON r.id = me.room_id
JOIN room_members p ON p.room_id = me.room_id AND p.user_id <> me.user_id
JOIN users pu ON pu.id = p.user_id
LEFT JOIN messages lm ON lm.room_id = r.id AND lm.seq = r.last_seq
LEFT JOIN users su ON su.id = lm.sender_id
WHERE me.user_id = ?
ORDER BY r.last_activity_at DESC, r.id DESC
LIMIT 21`;

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
 */
async function statementsPerRequest(api, token, first, n) {
  const deltas = [];
  for (let i = 0; i < n; i++) {
    const before = await api.metric('db_queries_total');
    await gqlOk(api.graphqlUrl, token, roomsQuery(first));
    deltas.push((await api.metric('db_queries_total')) - before);
  }
  return median(deltas);
}

async function explain(conn, userId) {
  const [rows] = await conn.query(`EXPLAIN ${ROOM_PAGE_SQL}`, [userId]);
  return rows
    .map((r) => `${r.table}:${r.type}${r.key ? `(${r.key})` : ''}${r.Extra ? ` [${r.Extra}]` : ''}`)
    .join(' -> ');
}

/** Runs the floor (mysql2) and the API (autocannon) alternately for one data set. */
async function compare(ctx, { api, database, users, tokens, label }) {
  const { rounds, durationSec, connections } = ctx.scale.rooms;
  const sqlLoad = startWorker('mysql-load.mjs', { name: 'mysql2-load' });
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
        {
          name: 'floor',
          pids: { 'mysql2-load': sqlLoad.pid, mariadb: ctx.db.pid },
          run: () => floor(),
          summary: (r) => `${num(r.perSecond)} SELECT/s`,
        },
        {
          name: 'api',
          pids: { api: api.pid, autocannon: httpLoad.pid, mariadb: ctx.db.pid, redis: ctx.redis.pid },
          run: () => viaApi(),
          summary: (r) => `${num(r.requestsPerSecond)} req/s`,
        },
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
    const apiCpuMs = (10 * median(runs.api.map((r) => r.cpu.api.percent))) / apiRate;
    const floorDbCpuMs = (10 * median(runs.floor.map((r) => r.cpu.mariadb.percent))) / floorRate;
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

/** Unread counts from counters (what the API does) vs counting messages, for the 10k-rooms user. */
async function unreadCost(conn, userId, repeats) {
  const counters = `SELECT COUNT(*) AS rooms, SUM(r.last_seq - m.last_read_seq) AS unread FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?`;
  const scan = `SELECT COUNT(*) AS unread FROM room_members m JOIN messages msg ON msg.room_id = m.room_id AND msg.seq > m.last_read_seq WHERE m.user_id = ?`;
  const measure = async (sql) => {
    const times = [];
    let rowsRead = 0;
    let value;
    for (let i = 0; i < repeats; i++) {
      await conn.query('FLUSH STATUS');
      const t0 = performance.now();
      const [[row]] = await conn.query(sql, [userId]);
      times.push(performance.now() - t0);
      const [status] = await conn.query("SHOW SESSION STATUS LIKE 'Handler_read%'");
      rowsRead = status.reduce((n, s) => n + Number(s.Value), 0);
      value = row.unread;
    }
    return { p50: percentile(times, 50), rowsRead, value: Number(value) };
  };
  return { counters: await measure(counters), scan: await measure(scan) };
}

export async function benchRooms(ctx) {
  const { api1, orig } = ctx.apis;
  const { k10, original } = ctx.data;
  const conn = await ctx.db.connect('bench');
  const origConn = await ctx.db.connect('bench_orig');
  try {
    // Correctness of the page before timing it: 20 rooms, newest first, unread from the counters.
    const page = (await gqlOk(api1.graphqlUrl, k10.token, roomsQuery(20))).data.rooms.edges;
    const [sqlPage] = await conn.query(ROOM_PAGE_SQL, [k10.userId]);
    const pageMismatch =
      page.length !== 20 ||
      page.some(
        (e, i) => e.node.id !== sqlPage[i].id || e.node.unreadCount !== sqlPage[i].last_seq - sqlPage[i].last_read_seq,
      )
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
    const statements = [
      ['10k-rooms user, first: 5', await statementsPerRequest(api1, k10.token, 5, n)],
      ['10k-rooms user, first: 20', await statementsPerRequest(api1, k10.token, 20, n)],
      ['10k-rooms user, first: 30', await statementsPerRequest(api1, k10.token, 30, n)],
      ['original shape (2 rooms), first: 20', await statementsPerRequest(orig, original.tokens[0], 20, n)],
    ];
    const constant = new Set(statements.map(([, s]) => s)).size === 1;
    const unread = await unreadCost(conn, k10.userId, ctx.quick ? 3 : 10);
    const plans = { big: await explain(conn, k10.userId), shape: await explain(origConn, original.userIds[0]) };

    const met = big.ratio >= TARGET_RATIO;
    const metShape = shape.ratio >= TARGET_RATIO;
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
      `**Ratio API / floor: ${pct(big.ratio)}** (target >= ${pct(TARGET_RATIO)}: ${verdict(met)}). Plan of the floor: \`${plans.big}\`.`,
      '',
      `#### The original system's load shape: ${num(ctx.scale.rooms.originalUsers)} users, a room between consecutive users, ${ctx.scale.rooms.originalMessages} messages per room`,
      '',
      `Requests rotate over ${original.tokens.length} users' tokens; the floor over the same users.`,
      '',
      table(headers, shape.rows),
      '',
      `**Ratio API / floor: ${pct(shape.ratio)}** (${verdict(metShape)}). **Our \`rooms\` req/s on this data: ${num(shape.apiRate)}**, beside the original system's ${ORIGINAL_TPS} TPS after its query fix (on a scaled-up server; ours is one API process on this 2-core machine, sharing it with MariaDB, Redis and the load generator). Plan of the floor: \`${plans.shape}\`.`,
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
        { name: '`rooms` (10k-rooms user) req/s >= 50 % of the one SELECT', value: pct(big.ratio), met },
        { name: '`rooms` (original shape) req/s >= 50 % of the one SELECT', value: pct(shape.ratio), met: metShape },
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
