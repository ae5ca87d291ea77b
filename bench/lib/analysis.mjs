// The "why" under each benchmark: where a target is missed, what the measurements and the profile
// show. Numbers come from this run; the reasoning is written here once.
import { kb, num, pct } from './report.mjs';

/** @typedef {import('../benchmarks/profile.mjs').Profile} Profile */
/** @typedef {import('./report.mjs').Section} Section */
/**
 * A benchmark's section with its data (absent when the benchmark did not complete).
 * @template {(ctx: never) => Promise<{ data: unknown }>} B the benchmark function
 * @typedef {Section & { data?: Awaited<ReturnType<B>>['data'] }} SectionOf
 */

/**
 * @param {Profile[] | null} profiles
 * @param {string} id
 */
const profileOf = (profiles, id) => profiles?.find((p) => p.id === id)?.summary;

/**
 * @param {import('../benchmarks/profile.mjs').ProfileSummary | undefined} summary
 */
function topPackages(summary, n = 8) {
  if (!summary) return 'no profile in this run';
  return summary.packages
    .slice(0, n)
    .map((p) => `${p.name} ${pct(p.share)}`)
    .join(', ');
}

/** @param {Section} section */
const missed = (section) => (section.targets ?? []).some((t) => !t.met);

/**
 * @param {SectionOf<typeof import('../benchmarks/me.mjs').benchMe>} section
 * @param {Profile[] | null} profiles
 */
function me(section, profiles) {
  const s = profileOf(profiles, 'me');
  const stats = section.data?.stats ?? {};
  /**
   * CPU per request of a row's server, in ms.
   * @param {string} id
   * @param {number} digits
   */
  const cpu = (id, digits) => (stats[id]?.cpuMs ? `${num(stats[id].cpuMs, digits)} ms` : 'n/a');
  /**
   * One row's median rate over another's.
   * @param {string} id
   * @param {string} of
   */
  const share = (id, of) => pct((stats[id]?.rps ?? NaN) / (stats[of]?.rps ?? NaN));
  return [
    `**Why.** The floor parses an HTTP request and writes fixed bytes: ${cpu('bare', 3)} of CPU per request (its median CPU over its median req/s). express + Apollo Server answering the same query from a constant, with nothing else, costs ${cpu('apollo', 2)} and reaches ${share('apollo', 'bare')} of the floor's rate; the API's own HTTP layer (node:http, Apollo Server's \`executeHTTPGraphQLRequest\`, the compiled executor, request id, access log and metrics: api/src/infra/graphql/pipeline.ts, api/src/infra/http/graphql-route.ts) answering the same constant costs ${cpu('pipeline', 2)} and reaches ${share('pipeline', 'bare')}; fastify + mercurius + graphql-jit answering the same constant costs ${cpu('mercurius', 3)} and reaches ${share('mercurius', 'bare')}. Apollo Server's request pipeline (its plugin hooks, the query hash, content negotiation, the response's HeaderMap) is what separates the API's layer from mercurius': it stays, as the design names it. On top of its layer each \`me\` request of the API checks the access token (an HS256 verification; the session's liveness from this instance's cache, Redis only every few seconds per session) and reads the user's row from the primary with one prepared statement: ${cpu('api', 2)} per request, ${share('api', 'pipeline')} of its layer's constant rate. The peer does the same token check and reads the same row on mercurius + graphql-jit: ${cpu('peer', 2)} per request, ${share('peer', 'mercurius')} of its framework's constant rate.`,
    s
      ? `Profile of \`me\` (self time, busy samples only): ${topPackages(s)}. Our own code is ${pct(s.oursShare)}: the rest is spread over the layers above and the socket writes of three connections (HTTP, MariaDB, Redis).`
      : '',
    missed(section)
      ? 'Where a target above is missed, the peer row bounds what the same work costs on a compiled-executor GraphQL server on this machine, and the two constant rows what each framework costs before any work.'
      : '',
    "**Fixed in issue 13 (ours):** (1) GraphQL over HTTP left express: `/graphql` is answered on node:http through Apollo Server's `executeHTTPGraphQLRequest`, with the cache-control plugin (it wrapped every resolver of the schema) and pretty-printed responses turned off. (2) Queries and subscriptions run on graphql-jit through Apollo's `gateway` hook and graphql-ws' `execute`/`subscribe`, compiled once per document of the document cache both transports share. (3) Access-log lines skip the root logger's redaction paths (their fields are fixed and carry no secret). (4) The session check asks Redis only when this instance's answer for the session is older than `SESSION_CACHE_TTL` (3 s); revocations reach the cache at once through the events that already close sockets. (5) The row is one prepared statement on the ORM's own connection (api/src/infra/db/sql-runner.ts), with no EntityManager fork or hydration. The before -> after numbers above come from `bench/baseline.json`, a run of this benchmark against the API before issue 13.",
    '**Fixed earlier (issue F):** (1) `AccessTokens` handed jsonwebtoken the secret as a string; jsonwebtoken then tried `createPublicKey` on it first, which throws, on every sign and verify (10.7 % of a `me` profile); the key is now a `KeyObject` made once (api/src/modules/auth/tokens.ts). (2) The ORM counted statements for `db_queries_total` through its query debug log, so MikroORM formatted every statement with its parameters for a log line nobody read; it now counts through the `onQuery` hook (api/src/infra/db/orm.ts). (3) pino wrote each access-log line to stdout synchronously; it now writes without blocking the event loop (lines logged during a write go out together). Together, on the same machine: 3.4 -> 1.7 ms of API CPU per `me` request.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * @param {SectionOf<typeof import('../benchmarks/rooms.mjs').benchRooms>} section
 * @param {Profile[] | null} profiles
 */
function rooms(section, profiles) {
  const s = profileOf(profiles, 'rooms');
  const d = section.data;
  if (!d) return '';
  return [
    `**Why.** The floor is one statement answered by MariaDB from its buffer pool. The API runs one statement too (the page of the caller's memberships in a subquery, joined with the rooms, the peers, the last messages and their senders: constant, as the table shows), prepared, on the primary, plus the session check (cached per instance), then builds about 20 x 12 objects from the rows, runs them through type-graphql's resolvers and the compiled executor and serialises them, all inside the HTTP layer of the \`me\` section. Per request that is ${num(d.big.apiCpuMs, 1)} ms of CPU in the API process against ${num(d.big.floorDbCpuMs, 2)} ms of MariaDB CPU for the floor's statement (median CPU over median rate).`,
    "**Fixed in issue 13 (ours):** the HTTP layer and the compiled executor of the `me` section; responses are no longer pretty-printed (Apollo's default indents every response: `prettyJSONStringify` was 4.7 % of this profile); the page's statement is prepared and runs on the ORM's connection without its query layers (api/src/infra/db/sql-runner.ts).",
    "**Fixed earlier (issue F):** the page was three ORM queries whose entity hydration was most of the request (@mikro-orm/core 31 %, @mikro-orm/knex 15 % and GC 13 % of a profile); it is now one statement read as plain rows (api/src/modules/chat/room.list.ts): 20.6 -> 180 req/s for the 10k-rooms user and 27.6 -> 352 req/s on the original shape in a before/after run of this benchmark on a loaded machine. What remains is the framework's per-request cost (see `me`) and the executor walking ~240 objects.",
    s ? `Profile of \`rooms(first: 20)\`: ${topPackages(s)}; our code ${pct(s.oursShare)}.` : '',
    `Unread counts are counters: the page reads ${num(d.unread.counters.rowsRead)} rows for all 10,000 rooms' totals via counters vs ${num(d.unread.scan.rowsRead)} rows when counting messages, and zero extra rows per page.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** @typedef {{ name: string, usec: number, members: number }} Row */

/** @param {SectionOf<typeof import('../benchmarks/matching.mjs').benchMatching>} section */
function matching(section) {
  const d = section.data;
  if (!d) return '';
  const dense = d.breakdown?.map((b) => {
    // luaBreakdown measures its five variants in this order.
    const [atR, oldMargin, newMargin, withLoads, withMeta] = /** @type {[Row, Row, Row, Row, Row | undefined]} */ (
      b.rows
    );
    return `at r = ${b.r} km the GEOSEARCH alone costs ${num(atR.usec)} µs for ${num(atR.members)} members; the old 2 km margin made it ${num(oldMargin.usec)} µs (${num(oldMargin.members)} members), the new margin ${num(newMargin.usec)} µs; reading each candidate's hash (one HMGET per candidate, as the script did) brought it to ${num(withLoads.usec)} µs, reading the candidates' mirror in one HMGET per 1000 (as it does now) to ${num(withMeta?.usec)} µs, before the haversine and the rest of the script`;
  });
  return [
    `**Why.** Both sides are Redis-bound (Redis is single-threaded; its CPU is the largest in every row, under 100 % only where other processes took the core). A raw GEOSEARCH only walks the geohash ranges and returns the members. The match step must also decide, for every candidate in range, whether it is eligible (distance <= min of both radii) and how long it has waited (the longest-waiting eligible goes first), so it needs each candidate's radius, wait and exact position: in the dense case, thousands of candidates inside one script. ${dense ? `Breakdown (Redis µs per call): ${dense.join('; ')}.` : ''}`,
    "**Fixed during this work (ours, cheap), both in api/src/modules/matching/match-queue.lua.ts:** (1) the prefilter widened every search by a flat 2 km to cover GEO's own Earth radius and 52-bit rounding, which are 0.03 % and under 0.4 m: a 1 km search read 9 times the area it needed, a 5 km one twice; it now widens by 0.1 % + 10 m. (2) Every candidate in range cost one `HMGET` of its hash (a Redis call from Lua each); what a search judges (since, radius, position) is now mirrored in one `meta` hash kept beside the GEO set (written where a user is indexed, deleted where unindexed) and read with one HMGET per 1000 candidates; only the chosen partner's hash is read, to confirm it is still there. The memory/Redis property test, the queue's conformance suite and the matching tests pass on both backends.",
    missed(section)
      ? "What remains is per-candidate work in Lua: converting the GEOSEARCH reply and the mirror values to Lua strings, parsing them and one haversine each, which costs more per member than GEOSEARCH itself spends. Closing the gap to >= 80 % needs a search that meets fewer candidates, not cheaper ones: GEO keys per radius class (a candidate is eligible only if the distance is within its own radius too, so a search need only read, in each class, the members within min(r, class radius)), or the eligibility data inside the GEO member name so that no second read happens at all. Both change the queue's data layout and its conformance suite, more than a focused fix: recorded in docs/scaling.md."
      : '',
    "**Time to match, fixed during this work (ours):** with an empty queue the seeker's first `requestMatch` loaded its exclusions from the database (two sequential queries and a second enqueue, ~13 ms), and every OFFERED event, then the HTTP answer, read the partner from the database (~8 ms each). Exclusions now load when `matchEvents` opens (clients subscribe first), the partner's public profile is read beside the rate limiter and travels with the search and its offers, and `requestMatch` answers from the enqueue result: SQL statements per pair 5 -> 1; seeker OFFERED p50 26.8 -> 15.7 ms in an interleaved before/after run on a loaded machine. What remains is one round trip per hop: HTTP with the session check and Apollo, the rate limiter, the enqueue script, the PUBLISH and the socket write.",
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * @param {SectionOf<typeof import('../benchmarks/latency.mjs').benchLatency>} section
 * @param {Profile[] | null} profiles
 */
function latency(section, profiles) {
  const s = profileOf(profiles, 'sendMessage');
  const d = section.data;
  if (!d) return '';
  /** @typedef {NonNullable<typeof section.data>['cases'][number]} LatencyCase */
  /** @typedef {{ label: string, floor: NonNullable<LatencyCase['floor']>, api: NonNullable<LatencyCase['api']> }} MeasuredCase */
  /** @param {LatencyCase} c */
  const rateOf = (c) => Number(/^(\d+)/.exec(c.label)?.[1] ?? 0);
  const top = d.capacity?.rps ? Math.max(...d.cases.map(rateOf)) : 0;
  const lowest = d.cases
    .filter(
      /** @type {(c: LatencyCase) => c is MeasuredCase} */
      ((c) => c.floor !== undefined && c.api !== undefined && rateOf(c) < top),
    )
    .sort((x, y) => rateOf(x) - rateOf(y))[0];
  return [
    `**Why.** The floor is one autocommit INSERT and one PUBLISH. \`sendMessage\` is five round trips: one read (the membership, the room's state, an earlier send with this key and the sender) with the transaction's start pipelined behind it and the rate-limit script in Redis meanwhile; the seq bump under the room row's lock, whose OK packet carries the new seq (\`LAST_INSERT_ID(last_seq + 1)\`); the insert and the sender's read pointer together; a durable commit; the PUBLISH; all prepared statements on the ORM's own connections, with the GraphQL layers of the \`me\` section around them; on instance 2 each event is re-checked for order and executed as GraphQL before it is written to the socket. Closed loop, instance 1 answers ${d.capacity ? num(d.capacity.rps) : 'n/a'} sendMessage/s on this machine with its CPU at ${d.capacity?.cpu?.api1 ? `${Math.round(d.capacity.cpu.api1.percent)} %` : 'n/a'}. Where that is near a full core the instance's CPU bounds it; each durable commit also costs about 4 ms of fsync on this machine's disk, which group commit shares between concurrent sends. ${top ? `The target's rate, ${num(top)} msg/s, is ${num(top / d.capacity.rps, 1)} times that capacity: on one instance requests queue without bound and latency is queueing time, which is what the rows that miss show; ${lowest ? `at ${lowest.label}, below capacity, the same path is at ${num(lowest.api.p50 / lowest.floor.p50)}x the floor's p50 and ${num(lowest.api.p99 / lowest.floor.p99)}x its p99 (the target's ratios are 5x and 10x). ` : ''}${num(top)} msg/s needs about ${Math.ceil(top / d.capacity.rps)} instances' worth of CPU at this cost per send, more than this 2-core machine has beside MariaDB, Redis and the load generators: meeting it with one sending instance here would take a send about ${Math.ceil(top / d.capacity.rps)} times cheaper in CPU.` : ''}`,
    "**Fixed in issue 13 (ours):** the HTTP layer of the `me` section; the send's statements below the ORM (api/src/infra/db/sql-runner.ts, api/src/modules/chat/message.store.ts): prepared, pipelined where the guarantees allow, the seq read back from the bump itself, the insert and the read pointer in one round trip, the rate limit in parallel with the read: 9 sequential round trips -> 5. Commit before publish stays.",
    "**Fixed earlier (issue F):** the send path ran about ten ORM statements (membership, an idempotency lookup before and again inside the transaction, the seq read, a unit-of-work flush for the insert) and the resolver reloaded the sender afterwards, each statement also formatted for the ORM's debug log (see `me`); it is now the five plain statements above (api/src/modules/chat/chat.service.ts), idempotency resting on the unique (room, sender, clientMessageId) key. API CPU per send on the same machine: 25.9 -> 4.8 ms.",
    s ? `Profile of \`sendMessage\`: ${topPackages(s)}; our code ${pct(s.oursShare)}.` : '',
    'Under the dense matching load the floor degrades too: each match step holds Redis for milliseconds and every PUBLISH waits behind it; this is the case for moving the matching queue to its own Redis (docs/scaling.md).',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** @param {SectionOf<typeof import('../benchmarks/sockets.mjs').benchSockets>} section */
function sockets(section) {
  const d = section.data;
  if (!d) return '';
  return [
    `**Why.** A bare \`ws\` socket is a TCP socket, its buffers and one WebSocket object (${kb(d.bareRss)} RSS here). An idle roomEvents subscription adds graphql-ws' connection and subscription state, the authenticated session, the operation's context, the pub/sub iterator and its relay, and the executed subscription's state: ${kb(d.apiHeap)} of JS heap per connection, ${kb(d.apiRss)} RSS.`,
    "**Issue 13:** subscriptions now run on graphql-jit like queries (the heap per subscription moved by a few hundred bytes, within run-to-run noise); a heap snapshot of 990 subscribed sockets, diffed against none, puts what remains in many small pieces rather than one culprit: per connection about 15 plain objects, 9 closures, 6 scope contexts, 2 timers (graphql-ws' keep-alive ping and its pong wait) and 5 bound functions of graphql-ws and ws, beside ws' own socket, receiver, sender and stream states (the bare socket's 2.5 KB). Reaching <= 10 KB RSS, about 5 KB of heap with the socket floor included, would take a WebSocket GraphQL server with less per-connection state than graphql-ws, which the design names.",
    "**Fixed earlier (issue F):** heap snapshots of an instance with 0 and with 2,000 subscribed sockets ranked what each subscription held: its own parsed query document (~11.6 KB: every subscribe parsed the same text again), an EntityManager fork, child logger and request id made eagerly (~4.8 KB), the HTTP upgrade request and the init payload with the bearer token kept for the socket's life (~1.6 KB), a token-expiry timer per socket and graphql-ws' init timer kept after it fired, and per-call closures in the relay and pub/sub iterators. Documents are now shared by query text (an LRU of 100), the context is made on first use, the request and token are dropped after `connection_init`, token expiries share one timer, and the iterators hold no per-call closures (api/src/infra/graphql/ws.ts, context.ts, ws-sessions.ts, api/src/infra/pubsub): 29.0 -> 10.3 KB of heap and 48.2 -> 19.9 KB RSS per connection in this benchmark before and after. What remains is the socket floor and graphql-ws' and graphql-js' own per-subscription state. RSS per connection moves by several KB between runs of the same code while the heap does not (two full runs on 2026-12-02 of the same subscription code: 14.8 and 20.2 KB RSS, 10.1 and 10.2 KB heap): the part above the heap is memory V8 and the allocator keep committed after the burst of 20k connections, not live objects.",
    `Connections held: the process's open-files limit on this machine is ${num(d.limit)} (hard); ${num(d.count)} were held, each with its subscription proven live.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * The analysis of one benchmark's section: its id tells which benchmark made it (and its data).
 * @param {Section & { data?: unknown }} section
 * @param {Profile[] | null} profiles
 */
export function analysis(section, profiles) {
  switch (section.id) {
    case 'me':
      return me(/** @type {SectionOf<typeof import('../benchmarks/me.mjs').benchMe>} */ (section), profiles);
    case 'rooms':
      return rooms(/** @type {SectionOf<typeof import('../benchmarks/rooms.mjs').benchRooms>} */ (section), profiles);
    case 'matching':
      return matching(/** @type {SectionOf<typeof import('../benchmarks/matching.mjs').benchMatching>} */ (section));
    case 'latency':
      return latency(
        /** @type {SectionOf<typeof import('../benchmarks/latency.mjs').benchLatency>} */ (section),
        profiles,
      );
    case 'sockets':
      return sockets(/** @type {SectionOf<typeof import('../benchmarks/sockets.mjs').benchSockets>} */ (section));
    default:
      return '';
  }
}
