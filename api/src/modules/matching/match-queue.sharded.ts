import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../../infra/redis/clients';
import { defineScript, type Script } from '../../infra/redis/define-script';
import { matchKeys, sharedKeys, SHARED_KEYS, type MatchKeys } from './keys';
import { cellOf, cellsReaching } from './match-cells';
import { encodeFilter } from './match-queue.filter';
import { HOLD_LUA, LOAD_EXCLUSIONS_LUA, SET_EXCLUDED_LUA } from './match-queue.lua';
import {
  EXCLUSIONS_TTL_MS,
  type EnqueueResult,
  type MatchQueue,
  type QueueChange,
  type QueueStatus,
  type RespondResult,
} from './match-queue.port';
import { checkFinite, scriptDurations, toEvents, toOffer, type EventReply, type OfferReply } from './match-queue.redis';
import {
  BEGIN_LUA,
  CLAIM_LUA,
  FINISH_LUA,
  NOTE_LUA,
  PEEK_LUA,
  RELEASE_LUA,
  RESERVE_LUA,
  RETURN_LUA,
  SETTLE_LUA,
  SHARD_CANCEL_LUA,
  SHARD_COMPLETE_LUA,
  SHARD_ENQUEUE_LUA,
  SHARD_RESPOND_LUA,
  SHARD_STATUS_LUA,
  SHARD_TOUCH_LUA,
  STALE_MS,
  SWEEP_ITEM_LUA,
  SWEEP_SCAN_LUA,
  VISIT_LUA,
} from './match-queue.sharded.lua';
import type { RedisMatchQueueOptions } from './match-queue.redis';
import { latestMeetings } from './match-queue.rule';
import { QueueGeneration } from './queue-generation';

export interface ShardedMatchQueueOptions extends RedisMatchQueueOptions {
  /** The side of an area cell (km); each cell is one slot. */
  cellKm: number;
}

/** A cell stays in the registry (swept, visited) this long after it last had a user or a sweep found it busy. */
const ACTIVE_MS = 600_000;
/** Rounds of looking at the neighbouring cells again when every candidate seen there was gone. */
const VISIT_ROUNDS = 6;
/** Between rounds, the user of the pair with the larger id waits this much longer per round (ms). */
const YIELD_MS = 20;

/** The separator between a cell and the rest of a matchId. */
const CELL_END = '~';

/**
 * The matching queue sharded by area (docs/scaling.md, "Redis shards for a city"): each area cell is
 * a copy of the one-slot queue's layout under its own hash tag, pairing among the cell's residents
 * is the one-slot queue's atomic script, and a search whose circle reaches other cells visits them.
 *
 * Slots: a cell `{match:<cell>}`; a user `{mu:<id>}` (their directory: home cell and epoch; their
 * hold; the master of their exclusion mirror and cooldowns, carried by value into the cells they
 * search in); `{match}`'s registry of cells.
 *
 * - Home. A search lives in the cell of its position (its home). A request from another cell moves
 *   home: the old home is released (refused while the user is offered or visiting from there: the
 *   request answers busy; a search there is removed and its place in line carried along) and fenced
 *   at the directory's epoch, the directory moves to the new cell at the next epoch, and an enqueue
 *   carrying an older epoch is refused in the fenced cell, so two racing requests never leave two
 *   records. A fence left by a request that died before moving the directory is passed by claiming
 *   the same cell at the next epoch.
 * - Visits. A search that found nobody at home peeks every registered cell its circle reaches, then,
 *   best candidate first: RESERVE at home (the user leaves the index, VISITING), VISIT the cell (the
 *   visitor is paired there with the best candidate, as a resident would be, or the visit is settled
 *   void), FINISH at home (AWAY while offered there, or back in the index and pairing tried again).
 *   A visit whose caller died is settled by a sweep: SETTLE in the visited cell answers 'arrived' or
 *   fences the visit void, then FINISH. Every offer lives in one cell; answering it is one script.
 *   A visiting user is in no index: a peek that finds nobody but sees a user of that cell away on a
 *   fresh visit whom it could be paired with looks again after a pause (two searches starting at
 *   once in neighbouring cells would otherwise each miss the other).
 * - Busy. A request from another cell while the user is offered or visiting from home answers busy
 *   when the release refuses, and changes nothing.
 * - Outbox. Effects on other slots (a visitor back in line or idle at home, cooldowns and completed
 *   matches noted in both users' slots, a user back in line to visit the neighbours again) are
 *   written to the deciding cell's outbox and returned; the caller applies them, each idempotent,
 *   and the sweeps apply those older than STALE_MS. A search entry (a user back in line, also a
 *   visitor back home, who must visit the neighbours) is removed only once the visits are done.
 * - Order: longest waiting first within a cell; a search is offered its home's best first, then the
 *   neighbours' in the order of their best candidates.
 */
export function createShardedMatchQueue(redis: RedisClient, options: ShardedMatchQueueOptions): MatchQueue {
  const { prefix, cellKm } = options;
  const durations = scriptDurations(options).map(String);
  const define = (name: string, lua: string) => defineScript(redis, `matchShard${name}`, SHARED_KEYS.length, lua);
  const s = {
    begin: define('Begin', BEGIN_LUA),
    claim: define('Claim', CLAIM_LUA),
    note: define('Note', NOTE_LUA),
    hold: define('Hold', HOLD_LUA),
    loadExclusions: define('LoadExclusions', LOAD_EXCLUSIONS_LUA),
    setExcluded: define('SetExcluded', SET_EXCLUDED_LUA),
    enqueue: define('Enqueue', SHARD_ENQUEUE_LUA),
    release: define('Release', RELEASE_LUA),
    peek: define('Peek', PEEK_LUA),
    reserve: define('Reserve', RESERVE_LUA),
    visit: define('Visit', VISIT_LUA),
    settle: define('Settle', SETTLE_LUA),
    finish: define('Finish', FINISH_LUA),
    return: define('Return', RETURN_LUA),
    cancel: define('Cancel', SHARD_CANCEL_LUA),
    status: define('Status', SHARD_STATUS_LUA),
    respond: define('Respond', SHARD_RESPOND_LUA),
    complete: define('Complete', SHARD_COMPLETE_LUA),
    touch: define('Touch', SHARD_TOUCH_LUA),
    sweepScan: define('SweepScan', SWEEP_SCAN_LUA),
    sweepItem: define('SweepItem', SWEEP_ITEM_LUA),
  };
  const registry = matchKeys(prefix).cells;
  const generation = new QueueGeneration(redis, matchKeys(prefix).generation);
  const onReady = () => void generation.check();
  redis.on('ready', onReady);
  void generation.check();

  const cellKeysCache = new Map<string, MatchKeys>();
  const cellKeys = (cell: string) => {
    let keys = cellKeysCache.get(cell);
    if (!keys) cellKeysCache.set(cell, (keys = matchKeys(prefix, `{match:${cell}}`)));
    return keys;
  };
  const userKeys = (userId: string) => matchKeys(prefix, `{mu:${userId}}`);

  const run = (script: Script, keys: MatchKeys, now: number, nonce: string, ...args: string[]) =>
    script(...sharedKeys(keys), keys.base, ...durations, String(now), nonce, ...args);
  const inUser = (script: Script, userId: string, now: number, ...args: string[]) =>
    run(script, userKeys(userId), now, randomUUID(), ...args);
  /** A cell script: its reply, the outbox entries last. Offer ids made here start with the cell. */
  const inCell = async (script: Script, cell: string, now: number, ...args: string[]) => {
    const reply = (await run(script, cellKeys(cell), now, `${cell}${CELL_END}${randomUUID()}`, ...args)) as unknown[];
    return { reply, outbox: reply[reply.length - 1] as string[] };
  };

  const homeOf = async (userId: string) => (await redis.hget(userKeys(userId).directory(userId), 'cell')) ?? '';

  /** Registered cells (recently busy) among `cells`. */
  const activeAmong = async (cells: string[], now: number): Promise<string[]> => {
    if (cells.length === 0) return [];
    const scores = await redis.zmscore(registry, ...cells);
    return cells.filter((_, i) => scores[i] !== null && Number(scores[i]) > now - ACTIVE_MS);
  };

  /**
   * Applies a cell's outbox entries (each idempotent) and removes them; events go to `change`. Users
   * go home first (visitors back in line or idle there, noted cooldowns and matches), then the users
   * back in line try the neighbouring cells: this cell's own first, then the returned visitors
   * (through their home's outbox). A search entry is removed once done: a caller dying before that
   * leaves it to the sweeps.
   */
  const applyOutbox = async (
    cell: string,
    entries: string[],
    now: number,
    change: QueueChange,
    /** The searcher whose own call this is: their search and mirror, already at hand. */
    searcher?: { userId: string; search: [string, string, string, string]; mirror: string[] },
  ): Promise<void> => {
    const searches: { userId: string; text: string }[] = [];
    const returned: { home: string; outbox: string[] }[] = [];
    for (const text of entries) {
      const [, , kind = '', userId = '', other = '', third = ''] = JSON.parse(text) as string[];
      if (kind === 'search') {
        searches.push({ userId, text });
        continue;
      }
      if (kind === 'return' || kind === 'drop') {
        const { reply, outbox } = await inCell(s.return, other, now, kind, userId, third);
        change.events.push(...toEvents(reply[1] as EventReply[]));
        returned.push({ home: other, outbox });
      } else {
        await Promise.all([
          inUser(s.note, userId, now, kind, userId, other, third),
          inUser(s.note, other, now, kind, other, userId, third),
        ]);
      }
      await redis.lrem(cellKeys(cell).outbox, 1, text);
    }
    for (const { userId, text } of searches) {
      if (searcher?.userId === userId) {
        await visitNeighbours(userId, cell, searcher.search, searcher.mirror, now, change);
      } else {
        await searchNeighbours(userId, cell, now, change);
      }
      await redis.lrem(cellKeys(cell).outbox, 1, text);
    }
    // then a visitor left searching at home visits the neighbours from there (its home's entry)
    for (const { home, outbox } of returned) await applyOutbox(home, outbox, now, change);
  };

  /** The user's mirror as a cell script carries it (copyMirror's arguments), or null when not loaded. */
  const carriedMirror = async (userId: string, now: number): Promise<string[] | null> => {
    const reply = (await inUser(s.begin, userId, now, userId)) as unknown[];
    if (reply[0] !== 'ok') return null;
    return mirrorArgs(reply);
  };

  /** A user back in line at home without an offer: tries the neighbouring cells. */
  const searchNeighbours = async (userId: string, home: string, now: number, change: QueueChange) => {
    const [state, lat, lon, radiusKm, filter] = await redis.hmget(
      cellKeys(home).user(userId),
      'state',
      'lat',
      'lon',
      'radiusKm',
      'filter',
    );
    if (state !== 'SEARCHING' || !lat || !lon || !radiusKm) return;
    const mirror = await carriedMirror(userId, now);
    if (mirror) await visitNeighbours(userId, home, [lat, lon, radiusKm, filter ?? ''], mirror, now, change);
  };

  /**
   * Visits the neighbouring cells for a user searching at home (see the header): peeks each, then
   * visits them best candidate first until an offer; looks again after a pause when every candidate
   * seen was gone by the visit, which two users visiting each other's cells at once cause, or when
   * none was seen but one is away on a visit of their own, in no index until back at home (of two
   * such users the one with the larger id pauses longer).
   */
  const visitNeighbours = async (
    userId: string,
    home: string,
    [lat, lon, radiusKm, filter]: [string, string, string, string],
    mirror: string[],
    now: number,
    change: QueueChange,
  ): Promise<void> => {
    const reach = cellsReaching({ lat: Number(lat), lon: Number(lon) }, Number(radiusKm), cellKm).filter(
      (cell) => cell !== home,
    );
    const cells = await activeAmong(reach, now);
    if (cells.length === 0) return;
    for (let round = 0; round < VISIT_ROUNDS; round++) {
      const peeks = await Promise.all(
        cells.map((cell) => inCell(s.peek, cell, now, userId, lat, lon, radiusKm, filter, ...mirror)),
      );
      const peeked = cells.map((cell, i) => ({ cell, best: (peeks[i]?.reply.slice(0, -1) ?? []) as string[] }));
      const ranked = peeked
        .filter(({ best }) => best.length === 2 && best[0] !== 'away')
        .sort(
          (x, y) =>
            Number(x.best[0]) - Number(y.best[0]) ||
            Buffer.compare(Buffer.from(x.best[1] ?? ''), Buffer.from(y.best[1] ?? '')),
        );
      const away = peeked.find(({ best }) => best[0] === 'away')?.best[1];
      if (ranked.length === 0 && away === undefined) return;
      for (const { cell } of ranked) {
        const visitId = randomUUID();
        const reserved = await inCell(s.reserve, home, now, userId, visitId, cell);
        const record = reserved.reply.slice(0, -1) as string[];
        if (record[0] !== 'ok') return; // no longer searching
        const visited = await inCell(s.visit, cell, now, visitId, userId, home, ...record.slice(1), ...mirror);
        const [outcome, events] = visited.reply as [string, EventReply[]];
        change.events.push(...toEvents(events));
        await applyOutbox(cell, visited.outbox, now, change);
        const finished = await inCell(s.finish, home, now, userId, visitId, outcome);
        change.events.push(...toEvents(finished.reply[1] as EventReply[]));
        await applyOutbox(home, finished.outbox, now, change);
        if (finished.reply[0] !== 'searching') return;
      }
      // Two users visiting each other's cells at once both find the other away: the one with the
      // larger id yields, so that the other's next visit finds them at home.
      const rival = ranked[0]?.best[1] ?? away ?? '';
      const yields = Buffer.compare(Buffer.from(userId), Buffer.from(rival)) > 0;
      await delay((yields ? YIELD_MS * (round + 1) : 0) + Math.random() * 5);
    }
    // Still contended: the sweeps try again once this entry is stale.
    await redis.rpush(cellKeys(home).outbox, JSON.stringify([randomUUID(), String(now), 'search', userId]));
  };

  /** One try of an enqueue; `moving.since`: the place in line of a search this request moved from its old home. */
  /**
   * One sweep (one at a time per adapter; every instance may sweep at once): each cell's due items are
   * gathered, and the oldest `limit` of each kind over all cells are handled, each in its cell and in
   * SWEEP_LUA's order (offers, deadlines, the unseen; oldest first, ties by id); then visits and outbox
   * entries left by callers that died are settled and applied.
   */
  let sweeping: Promise<void> = Promise.resolve();
  const sweepOnce = async (now: number, limit: number): Promise<QueueChange> => {
    const count = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1;
    const change: QueueChange = { events: [] };
    if (count === 0) return change;
    await redis.zremrangebyscore(registry, '-inf', now - ACTIVE_MS);
    const cells = await redis.zrangebyscore(registry, now - ACTIVE_MS, '+inf');
    // A failover of a cell's shard may have lost its latest writes: watched like the registry's slot.
    generation.watch(cells.map((cell) => cellKeys(cell).searching));
    void generation.check();
    const scans = await Promise.all(
      cells.map(async (cell) => ({ cell, ...(await inCell(s.sweepScan, cell, now, String(count), String(STALE_MS))) })),
    );
    const kinds = ['offer', 'deadline', 'unseen'] as const;
    for (const [k, kind] of kinds.entries()) {
      const due = scans.flatMap(({ cell, reply }) => {
        const flat = reply[k] as string[];
        return Array.from({ length: flat.length / 2 }, (_, i) => ({
          cell,
          id: flat[2 * i] ?? '',
          score: Number(flat[2 * i + 1]),
        }));
      });
      due.sort((x, y) => x.score - y.score || Buffer.compare(Buffer.from(x.id), Buffer.from(y.id)));
      for (const { cell, id } of count < 0 ? due : due.slice(0, count)) {
        const { reply, outbox } = await inCell(s.sweepItem, cell, now, kind, id);
        change.events.push(...toEvents(reply[0] as EventReply[]));
        await applyOutbox(cell, outbox, now, change);
      }
    }
    for (const { cell, reply } of scans) {
      const [visits, pending, busy] = reply.slice(3, 6) as [string[], string[], number];
      for (let i = 0; i < visits.length; i += 3) {
        const [userId = '', visitId = '', visited = ''] = visits.slice(i, i + 3);
        const settled = await inCell(s.settle, visited, now, visitId);
        const finished = await inCell(s.finish, cell, now, userId, visitId, settled.reply[0] as string);
        change.events.push(...toEvents(finished.reply[1] as EventReply[]));
        await applyOutbox(cell, finished.outbox, now, change);
        if (finished.reply[0] === 'searching') await searchNeighbours(userId, cell, now, change);
      }
      await applyOutbox(cell, pending, now, change);
      if (busy > 0) await redis.zadd(registry, 'GT', now, cell);
    }
    return change;
  };

  const enqueueOnce = async (
    request: Parameters<MatchQueue['enqueue']>[0],
    now: number,
    moving: { since: string },
  ): Promise<EnqueueResult | 'retry'> => {
    const { userId, position, radiusKm, profile = '', filter } = request;
    // checked before any script runs, so that none fails half-way through its writes
    [now, position.lat, position.lon, radiusKm].forEach((x) => checkFinite('a time, position or radius', x));
    const begun = (await inUser(s.begin, userId, now, userId)) as unknown[];
    if (begun[0] === 'held') return { status: 'held', events: [], heldUntil: Number(begun[2]) };
    if (begun[0] !== 'ok') return { status: 'needs-exclusions', events: [] };
    const mirror = mirrorArgs(begun);
    const wanted = cellOf(position, cellKm);
    let home = begun[1] as string;
    let epoch = Number(begun[2]);
    if (home !== wanted) {
      const released = home ? (await inCell(s.release, home, now, userId, String(epoch))).reply : ['released', ''];
      // Busy there (offered, or visiting from there) when the release ran: the enqueue answers so
      // and changes nothing, as at home. Not sent on to the old home, whose offer may have ended
      // meanwhile: the search would stay there, at a position of another cell.
      if (released[0] === 'kept') return { status: 'busy', events: [] };
      if (released[1]) moving.since = released[1] as string;
      const claimed = Number(await inUser(s.claim, userId, now, userId, wanted, String(epoch)));
      if (claimed === 0) return 'retry';
      [home, epoch] = [wanted, claimed];
    }
    await redis.zadd(registry, 'GT', now, home);
    const args = [String(position.lat), String(position.lon), String(radiusKm), profile, encodeFilter(filter)];
    const { reply, outbox } = await inCell(
      s.enqueue,
      home,
      now,
      userId,
      ...args,
      String(epoch),
      moving.since,
      ...mirror,
    );
    const [status, events] = reply as [EnqueueResult['status'] | 'moved', EventReply[]];
    if (status === 'moved') {
      // Fenced here at this epoch by a request that died before moving the directory: claim anew.
      await inUser(s.claim, userId, now, userId, home, String(epoch));
      return 'retry';
    }
    const change: QueueChange = { events: toEvents(events) };
    // a search left searching visits the neighbours (the outbox's entry for it)
    const [lat, lon, radius, , filterText] = args as [string, string, string, string, string];
    await applyOutbox(home, outbox, now, change, { userId, search: [lat, lon, radius, filterText], mirror });
    const offered = change.events.some((e) => e.to === userId && e.type === 'OFFERED');
    return { status: offered ? 'offered' : status, events: change.events };
  };

  return {
    async enqueue(request, now) {
      const moving = { since: '' };
      for (let attempt = 0; attempt < 8; attempt++) {
        const result = await enqueueOnce(request, now, moving);
        if (result !== 'retry') return result;
      }
      throw new Error(`enqueue of ${request.userId} kept racing with the user's other requests`);
    },

    async cancel(userId, now) {
      const change: QueueChange = { events: [] };
      for (let step = 0; step < 8; step++) {
        const home = await homeOf(userId);
        if (!home) return change;
        const { reply, outbox } = await inCell(s.cancel, home, now, userId);
        if (Array.isArray(reply[0])) {
          change.events.push(...toEvents(reply[0] as EventReply[]));
          await applyOutbox(home, outbox, now, change);
          return change;
        }
        const [state, visitId = '', cell = ''] = reply as string[];
        if (state === 'visiting') {
          const settled = await inCell(s.settle, cell, now, visitId);
          const finished = await inCell(s.finish, home, now, userId, visitId, settled.reply[0] as string);
          await applyOutbox(home, finished.outbox, now, change);
        } else {
          const cancelled = await inCell(s.cancel, cell, now, userId);
          change.events.push(...toEvents(cancelled.reply[0] as EventReply[]));
          await applyOutbox(cell, cancelled.outbox, now, change);
          const dropped = await inCell(s.return, home, now, 'drop', userId, visitId);
          await applyOutbox(home, dropped.outbox, now, change);
          // then whatever is left at home: the offer may have ended and returned them there already
        }
      }
      throw new Error(`cancel of ${userId} did not settle`);
    },

    async respond(userId, matchId, accept, now) {
      const cell = cellOfMatch(matchId);
      if (!cell) return { status: 'stale', events: [] };
      const { reply, outbox } = await inCell(s.respond, cell, now, userId, matchId, accept ? '1' : '0');
      const [status, events, completing] = reply as [RespondResult['status'], EventReply[], OfferReply | null];
      const change: QueueChange = { events: toEvents(events) };
      await applyOutbox(cell, outbox, now, change);
      return { status, events: change.events, ...(completing ? { completing: toOffer(completing) } : {}) };
    },

    async complete(matchId, now) {
      const cell = cellOfMatch(matchId);
      if (!cell) return false;
      const { reply, outbox } = await inCell(s.complete, cell, now, matchId);
      await applyOutbox(cell, outbox, now, { events: [] });
      return reply[0] === 1;
    },

    async status(userId, now): Promise<QueueStatus> {
      const home = await homeOf(userId);
      if (!home) return { state: 'IDLE' };
      let reply = (await inCell(s.status, home, now, userId)).reply;
      if (reply[0] === 'VISITING') {
        // offered in the visited cell if the visit arrived (its caller may not have finished it yet)
        const visited = (await inCell(s.status, reply[1] as string, now, userId)).reply;
        reply = visited[0] === 'OFFERED' ? visited : ['SEARCHING', reply[2], reply[3]];
      } else if (reply[0] === 'AWAY') {
        reply = (await inCell(s.status, reply[1] as string, now, userId)).reply;
      }
      switch (reply[0]) {
        case 'SEARCHING':
          return { state: 'SEARCHING', radiusKm: Number(reply[1]), since: Number(reply[2]) };
        case 'OFFERED':
          return { state: 'OFFERED', radiusKm: Number(reply[1]), offer: toOffer(reply[2] as OfferReply) };
        default:
          return { state: 'IDLE' };
      }
    },

    async holdOff(userId, until, now) {
      checkFinite('until (ms)', until);
      await inUser(s.hold, userId, now, userId, String(until));
    },

    async touch(userIds, now) {
      const homes = await Promise.all(userIds.map(homeOf));
      const byCell = new Map<string, string[]>();
      userIds.forEach((id, i) => {
        const home = homes[i];
        if (home) byCell.set(home, [...(byCell.get(home) ?? []), id]);
      });
      await Promise.all([...byCell].map(([cell, ids]) => inCell(s.touch, cell, now, ...ids)));
    },

    sweep(now, limit = 100) {
      const swept = sweeping.then(() => sweepOnce(now, limit));
      sweeping = swept.then(
        () => undefined,
        () => undefined,
      );
      return swept;
    },

    async loadExclusions(userId, { blocked, openRooms, met = [] }, now) {
      const counts = [String(blocked.length), String(openRooms.length)];
      const meetings = latestMeetings(met).flatMap(({ userId: peer, until }) => [peer, String(until)]);
      await inUser(s.loadExclusions, userId, now, userId, ...counts, ...blocked, ...openRooms, ...meetings);
    },

    async hasExclusions(userId, now) {
      const loadedAt = await redis.get(userKeys(userId).exclusionsLoaded(userId));
      return loadedAt !== null && Number(loadedAt) + EXCLUSIONS_TTL_MS > now;
    },

    async setExcluded(a, b, kind, excluded) {
      const args = [a, b, kind, excluded ? '1' : '0'];
      const homes = [...new Set((await Promise.all([homeOf(a), homeOf(b)])).filter(Boolean))];
      await Promise.all([
        run(s.setExcluded, userKeys(a), 0, randomUUID(), ...args),
        run(s.setExcluded, userKeys(b), 0, randomUUID(), ...args),
        ...homes.map((cell) => run(s.setExcluded, cellKeys(cell), 0, randomUUID(), ...args)),
      ]);
    },

    async searchingCount() {
      const cells = await redis.zrange(registry, 0, -1);
      const counts = await Promise.all(cells.map((cell) => redis.zcard(cellKeys(cell).searching)));
      return counts.reduce((sum, n) => sum + n, 0);
    },

    onLost: (listener) => generation.onLost(listener),

    async dispose() {
      redis.off('ready', onReady);
    },
  };
}

/** copyMirror's arguments from a BEGIN reply: the counts, then the lists. */
function mirrorArgs(reply: unknown[]): string[] {
  const [blocked = [], openRooms = [], met = [], cooling = []] = reply.slice(3, 7) as string[][];
  return [
    String(blocked.length),
    String(openRooms.length),
    String(met.length / 2),
    String(cooling.length / 2),
    ...blocked,
    ...openRooms,
    ...met,
    ...cooling,
  ];
}

/** The cell an offer lives in (its id starts with it), or '' for an id no cell made. */
const cellOfMatch = (matchId: string) => {
  const end = matchId.indexOf(CELL_END);
  return end > 0 ? matchId.slice(0, end) : '';
};
