// Idle roomEvents subscriptions on one API instance vs bare `ws` connections: memory per connection
// (RSS from /proc, heap from inside the process after a full GC), how many are held, and whether
// the heap stays flat when every subscription is ended and started again.
import { readFileSync } from 'node:fs';
import { gql } from '../lib/graphql.mjs';
import { kb, mb, num, section, table, verdict } from '../lib/report.mjs';
import { startWorker } from '../lib/worker.mjs';
import { cpuMeter, fdCount, median, rssBytes, sleep, waitFor } from '../lib/util.mjs';

export const TARGET_KB = 10;
export const TARGET_CONNECTIONS = 19_000;
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { seq } }';

/**
 * One round of one mode: memory (bytes) before connecting, with all held, after each churn and
 * after closing; CPU while opening.
 * @typedef {object} SocketRound
 * @property {number} count
 * @property {number} stillOpen
 * @property {number} openSeconds
 * @property {import('../lib/util.mjs').CpuUsage} cpu
 * @property {number} rssPerConn
 * @property {number} heapPerConn
 * @property {{ rss: number, heapUsed: number }} before
 * @property {{ rss: number, heapUsed: number }} held
 * @property {{ rss: number, heapUsed: number }} after
 * @property {number[]} churn heap after each churn round
 * @property {number[]} churnLive seconds from the start of each churn until every sampled room was live again
 * @property {number} shed subscriptions refused with UNAVAILABLE (and subscribed again) in the round
 */

/** @param {number} pid */
function openFilesLimit(pid) {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 1024);
}

/**
 * @template T
 * @param {readonly T[]} items
 * @param {number} n
 * @returns {T[][]} n lists, item j in list j mod n
 */
const split = (items, n) => Array.from({ length: n }, (_, i) => items.filter((_, j) => j % n === i));

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchSockets(ctx) {
  const { rounds, churnRounds, workers: workerCount, probeRooms } = ctx.scale.sockets;
  const api = ctx.apis.api2;
  // One process holds one descriptor per socket: stay under its RLIMIT_NOFILE with room for its own.
  const limit = openFilesLimit(api.pid);
  const apiFds = fdCount(api.pid);
  const n = Math.min(ctx.scale.sockets.connections, ctx.data.socketItems.length, limit - apiFds - 150);
  const items = ctx.data.socketItems.slice(0, n - (n % 2));
  const count = items.length;
  ctx.log(`  ${count} connections (fd limit ${limit}, the instance holds ${apiFds} descriptors idle)`);
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/bare-ws.mjs').BareWs>} */
  const bare = startWorker('bare-ws.mjs', { name: 'bare-ws' });
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/sockets.mjs').Sockets>[]} */
  const clients = Array.from({ length: workerCount }, (_, i) =>
    startWorker('sockets.mjs', { name: `ws-clients-${i + 1}` }),
  );
  let address = 0;
  const sourceAddress = () => `127.0.${10 + Math.floor(address / 200)}.${2 + (address++ % 200)}`;
  try {
    const { port } = await bare.call('start', {});
    const bareUrl = `ws://127.0.0.1:${port}`;
    /** @type {{ bare: SocketRound[], api: SocketRound[] }} */
    const results = { bare: [], api: [] };
    let errors = 0;
    let unexpectedCloses = 0;

    /**
     * @param {string} label
     * @returns {Promise<number>} seconds until every sampled room was heard by both members
     */
    const probe = async (label) => {
      const started = performance.now();
      let refusedSends = 0;
      // Send into sampled rooms until both members' sockets heard it: the subscriptions are live
      // (the server may still be working through a backlog of subscribe operations).
      /** @type {{ token: string, roomId: string }[]} */
      const rooms = [];
      for (let i = 0; i < count && rooms.length < probeRooms; i += Math.max(2, Math.floor(count / probeRooms) & ~1)) {
        const item = items[i];
        if (item) rooms.push(item);
      }
      await Promise.all(clients.map((c) => c.call('heard', { reset: true })));
      const deadline = Date.now() + 300_000;
      let pending = rooms;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (Date.now() > deadline) {
          // What the clients saw: subscription errors, unexpected closes and the first of them.
          const seen = await Promise.all(clients.map((c) => c.call('stats')));
          const errorsSeen = seen.reduce((n, x) => n + x.errors, 0);
          const closes = seen.reduce((n, x) => n + x.closedUnexpectedly, 0);
          const first = seen.map((x) => x.firstError).find(Boolean) ?? 'none';
          const shedSeen = seen.reduce((n, x) => n + x.shed, 0);
          const states = (
            await Promise.all(clients.map((c) => c.call('inspect', { roomIds: pending.map((p) => p.roomId) })))
          ).flat();
          throw new Error(
            `${pending.length}/${rooms.length} probe rooms not heard by both members after ${label} (clients saw ${errorsSeen} subscription errors, ${shedSeen} refusals with UNAVAILABLE, ${closes} unexpected closes; first: ${first}; probe sends refused: ${refusedSends}; refusals: ${JSON.stringify(seen.map((x) => x.refusalMessages))}; their sockets: ${JSON.stringify(states.slice(0, 6))})`,
          );
        }
        await Promise.all(
          pending.map(async (item) => {
            const res = await gql(ctx.apis.api1.graphqlUrl, item.token, SEND, {
              input: {
                roomId: item.roomId,
                body: `probe ${label}`,
                clientMessageId: `p-${label}-${attempt}-${item.roomId}`,
              },
            });
            // Refused while the instance sheds load: the next attempt sends into this room again.
            const code = /** @type {{ extensions?: { code?: string } }[] | undefined} */ (res.errors)?.[0]?.extensions
              ?.code;
            if (code === 'UNAVAILABLE') return void refusedSends++;
            if (res.errors?.length) throw new Error(`probe send: ${JSON.stringify(res.errors).slice(0, 300)}`);
          }),
        );
        const until = Date.now() + 3000;
        while (Date.now() < until) {
          await sleep(250);
          const heard = (await Promise.all(clients.map((c) => c.call('heard', {})))).flat();
          pending = rooms.filter((r) => heard.filter((h) => h === r.roomId).length < 2);
          if (pending.length === 0) break;
        }
      }
      return (performance.now() - started) / 1000;
    };

    const memApi = async () => ({ ...(await api.memory(true)), rss: rssBytes(api.pid) });
    const memBare = async () => ({ ...(await bare.call('memory')), rss: rssBytes(bare.pid ?? 0) });

    for (let r = 0; r < rounds; r++) {
      /** @type {('bare' | 'api')[]} */
      const modes = r % 2 === 0 ? ['bare', 'api'] : ['api', 'bare'];
      for (const mode of modes) {
        /** @type {{ token?: string, roomId?: string }[][]} */
        const parts = split(mode === 'api' ? items : items.map(() => ({})), clients.length);
        const mem = mode === 'api' ? memApi : memBare;
        await sleep(500);
        const before = await mem();
        const meter = cpuMeter({
          server: mode === 'api' ? api.pid : bare.pid,
          ...Object.fromEntries(clients.map((c, i) => [`clients${i + 1}`, c.pid])),
          ...(mode === 'api' ? { redis: ctx.redis.pid, mariadb: ctx.db.pid } : {}),
        });
        meter.start();
        const opened = await Promise.all(
          clients.map((c, i) =>
            c.call('open', {
              url: mode === 'api' ? api.wsUrl : bareUrl,
              mode,
              items: mode === 'api' ? parts[i] : undefined,
              count: parts[i]?.length ?? 0,
              localAddress: sourceAddress(),
            }),
          ),
        );
        const cpu = meter.stop();
        const openSeconds = Math.max(...opened.map((o) => o.seconds));
        if (mode === 'api') {
          await waitFor(async () => (await api.metric('ws_open_sockets')) >= count, {
            timeoutMs: 60_000,
            what: `${count} authenticated sockets`,
          });
          await probe(`r${r}-open`);
        } else {
          await waitFor(async () => (await bare.call('connections')) >= count, {
            timeoutMs: 60_000,
            what: `${count} bare connections`,
          });
        }
        await sleep(1000);
        const held = await mem();
        /** @type {number[]} */
        const churn = [];
        /** @type {number[]} */
        const churnLive = [];
        if (mode === 'api') {
          for (let c = 0; c < churnRounds; c++) {
            const started = performance.now();
            await Promise.all(clients.map((w) => w.call('churn', {})));
            await probe(`r${r}-churn${c}`);
            churnLive.push((performance.now() - started) / 1000);
            await sleep(500);
            churn.push((await mem()).heapUsed);
          }
        }
        const stats = await Promise.all(clients.map((c) => c.call('stats')));
        errors += stats.reduce((s, x) => s + x.errors, 0) + opened.reduce((s, o) => s + o.failed, 0);
        unexpectedCloses += stats.reduce((s, x) => s + x.closedUnexpectedly, 0);
        const stillOpen = stats.reduce((s, x) => s + x.open, 0);
        const shed = stats.reduce((s, x) => s + x.shed, 0);
        await Promise.all(clients.map((c) => c.call('close')));
        if (mode === 'api')
          await waitFor(async () => (await api.metric('ws_open_sockets')) === 0, {
            timeoutMs: 60_000,
            what: 'sockets to close',
          });
        else
          await waitFor(async () => (await bare.call('connections')) === 0, {
            timeoutMs: 60_000,
            what: 'bare sockets to close',
          });
        await sleep(500);
        const after = await mem();
        /** @type {SocketRound} */
        const result = {
          count,
          stillOpen,
          openSeconds,
          cpu,
          rssPerConn: (held.rss - before.rss) / count,
          heapPerConn: (held.heapUsed - before.heapUsed) / count,
          before,
          held,
          after,
          churn,
          churnLive,
          shed,
        };
        results[mode].push(result);
        ctx.log(
          `  round ${r + 1} ${mode}: ${count} held, ${kb(result.rssPerConn)} RSS and ${kb(result.heapPerConn)} heap per connection${churn.length ? `, heap after churn ${churn.map(mb).join(' -> ')}` : ''}`,
        );
      }
    }

    const bareRss = median(results.bare.map((x) => x.rssPerConn));
    const apiRss = median(results.api.map((x) => x.rssPerConn));
    const apiHeap = median(results.api.map((x) => x.heapPerConn));
    // Heap growth per connection per churn round, from the first to the last churn measurement.
    const churnGrowth = median(
      results.api.map((x) => {
        const [first = NaN] = x.churn;
        const last = x.churn.at(-1) ?? NaN;
        return x.churn.length > 1 ? (last - first) / (x.churn.length - 1) / count : (first - x.held.heapUsed) / count;
      }),
    );
    const leftAfterClose = median(results.api.map((x) => (x.after.heapUsed - x.before.heapUsed) / count));
    const heldAll = results.api.every((x) => x.stillOpen === count) && results.bare.every((x) => x.stillOpen === count);
    const flat = churnGrowth <= 256; // bytes per connection per churn round
    const counters = {
      'sockets: errors': errors,
      'sockets: unexpected closes': unexpectedCloses,
      'sockets: not held': heldAll ? 0 : 1,
    };
    const rows = /** @type {const} */ (['bare', 'api']).map((mode) => {
      const rs = results[mode];
      return [
        mode === 'bare' ? 'bare `ws` connection (floor)' : 'graphql-ws + roomEvents subscription',
        rs.map((x) => kb(x.rssPerConn)).join(' / '),
        kb(median(rs.map((x) => x.rssPerConn))),
        kb(median(rs.map((x) => x.heapPerConn))),
        `${num(median(rs.map((x) => x.count / x.openSeconds)))} /s`,
        `${num(median(rs.map((x) => x.cpu.server?.percent)))} %`,
        mb(median(rs.map((x) => x.held.rss))),
      ];
    });
    const churnRows = results.api.map((x, i) => [
      `round ${i + 1}`,
      mb(x.before.heapUsed),
      mb(x.held.heapUsed),
      x.churn.map(mb).join(' -> '),
      mb(x.after.heapUsed),
    ]);
    const { note } = ctx.metrics;
    const rssText = note('sockets.api.rssPerConnection', apiRss, 'bytes');
    note('sockets.bare.rssPerConnection', bareRss, 'bytes');
    note('sockets.api.heapPerConnection', apiHeap, 'bytes');
    const heldText = note('sockets.held', count, 'count');
    const churnText = note('sockets.churnBytesPerConnection', churnGrowth, 'count');
    const targets = [
      {
        name: `<= ${TARGET_KB} KB RSS per idle roomEvents connection`,
        value: rssText,
        met: apiRss <= TARGET_KB * 1024,
      },
      {
        name: `${num(TARGET_CONNECTIONS)} connections held`,
        value: `${heldText} held: this machine's hard RLIMIT_NOFILE is ${num(limit)} per process (raising it needs CAP_SYS_RESOURCE), minus the instance's own descriptors`,
        met: heldAll && count >= Math.min(TARGET_CONNECTIONS, limit - apiFds - 150) - 1,
      },
      {
        name: 'heap flat after subscribe/unsubscribe churn',
        value: `${churnText} bytes per connection per churn round`,
        met: flat,
      },
    ];
    const markdown = [
      `${num(count)} connections per phase from ${clients.length} client processes (raw WebSocket protocol), ${rounds} rounds alternated. API: each socket authenticates at \`connection_init\` and runs one \`roomEvents\` subscription for a room of its user (${num(count / 2)} rooms, both members subscribed; every subscription proven live by a message sent into sampled rooms). RSS from /proc, heap from \`process.memoryUsage()\` in the server process after a full GC.`,
      '',
      table(
        [
          'connection',
          'RSS per connection per round',
          'median RSS per connection',
          'heap per connection',
          'open rate',
          'server CPU while opening',
          'server RSS held',
        ],
        rows,
      ),
      '',
      `**${rssText} RSS per idle subscription** vs ${kb(bareRss)} for a bare socket (target <= ${TARGET_KB} KB: ${verdict(apiRss <= TARGET_KB * 1024)}); ${kb(apiHeap)} of it is JS heap.`,
      '',
      `Churn: ${churnRounds} times per round, every subscription is completed and started again on its socket (then proven live again); heap after a full GC:`,
      '',
      table(
        ['API round', 'heap before connecting', 'heap with all subscribed', 'after each churn', 'after closing all'],
        churnRows,
      ),
      '',
      `Re-subscribing all ${num(count)} at once (each client process 500 every 5 ms): the instance refused ${results.api.map((x) => num(x.shed)).join(' / ')} of them with UNAVAILABLE (an instance admits a few set-ups per database connection at a time and refuses the rest at once, api/src/infra/admission.ts) and each client subscribed again after the \`retryAfterMs\` it was given, as the web app does (web/src/api/live.ts); every sampled room was live again ${results.api.map((x) => x.churnLive.map((t) => `${t.toFixed(1)} s`).join(', ')).join(' / ')} after the churn began.`,
      '',
      `Heap growth per churn round: **${churnText} bytes per connection** (${verdict(flat)}: flat means under 256 bytes per connection per round); after closing every socket the heap is ${num(leftAfterClose)} bytes per connection above where it started.`,
    ].join('\n');
    return {
      ...section({ id: 'sockets', title: 'Idle `roomEvents` subscriptions', markdown, counters }),
      targets,
      data: { count, limit, bareRss, apiRss, apiHeap, churnGrowth, leftAfterClose },
    };
  } finally {
    await bare.stop();
    await Promise.all(clients.map((c) => c.stop()));
  }
}
