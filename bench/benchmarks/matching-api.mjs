// The matching benchmark's API side (see matching.mjs): time to match through requestMatch and
// matchEvents once a partner waits, and a concurrent burst checked for double matches.
import { acceptMatch, cancelMatch, nextEvent, nextMatch, requestMatch } from '../lib/players.mjs';
import { ms } from '../lib/report.mjs';
import { latencySummary, pool, sleep } from '../lib/util.mjs';
import { BURST, randomPoint } from './matching-queue.mjs';

/** @typedef {import('../lib/players.mjs').Player} Player */

/**
 * requestMatch by a seeker while a partner waits at the same place: until both heard OFFERED.
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {Player[]} players
 * @param {{ pairs: number, radiusKm: number, area: import('./matching-queue.mjs').Square, label: string }} options
 */
export async function timeToMatch(ctx, players, { pairs, radiusKm, area, label }) {
  /** @type {number[]} */
  const bySeeker = [];
  /** @type {number[]} */
  const byPartner = [];
  /** @type {number[]} */
  const responses = [];
  let missed = 0;
  let wrongPartner = 0;
  for (let i = 0; i < pairs; i++) {
    // Indices modulo the (non-empty) list.
    const partner = /** @type {Player} */ (players[(2 * i) % players.length]);
    const seeker = /** @type {Player} */ (players[(2 * i + 1) % players.length]);
    const at = randomPoint(area);
    const waiting = await requestMatch(partner, at, radiusKm);
    if (waiting.data?.requestMatch?.state !== 'SEARCHING') {
      missed++;
      continue;
    }
    const since = partner.events.length;
    const sinceS = seeker.events.length;
    const t0 = performance.now();
    const [res, offeredS, offeredP] = await Promise.all([
      requestMatch(seeker, at, radiusKm),
      nextEvent(seeker, (e) => e.type === 'OFFERED' && seeker.events.indexOf(e) >= sinceS),
      nextEvent(partner, (e) => e.type === 'OFFERED' && partner.events.indexOf(e) >= since),
    ]);
    responses.push(performance.now() - t0);
    if (!offeredS || !offeredP) missed++;
    else {
      bySeeker.push(offeredS.at - t0);
      byPartner.push(offeredP.at - t0);
      if (
        offeredS.partner?.id !== partner.userId ||
        offeredS.matchId !== offeredP.matchId ||
        res.data?.requestMatch?.state !== 'OFFERED'
      )
        wrongPartner++;
    }
    await cancelMatch(seeker);
    await cancelMatch(partner);
  }
  ctx.log(`  time-to-match ${label}: seeker p50 ${ms(latencySummary(bySeeker).p50)}`);
  return {
    label,
    seeker: latencySummary(bySeeker),
    partner: latencySummary(byPartner),
    response: latencySummary(responses),
    missed,
    wrongPartner,
  };
}

/**
 * "Next" while a partner waits: A and B are matched into a room, C waits at the same place, and A
 * calls nextMatch (leave the room, search again): until A heard OFFERED with C. Each trio of
 * distinct players once: a completed match is remembered, so A and B never meet again, and both are
 * even-numbered players, never a pair of timeToMatch (which pairs player 2k with 2k + 1).
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {Player[]} players
 * @param {{ trios: number, radiusKm: number, area: import('./matching-queue.mjs').Square }} options
 */
export async function timeToNext(ctx, players, { trios, radiusKm, area }) {
  /** @type {number[]} */
  const offered = [];
  /** @type {number[]} */
  const responses = [];
  let missed = 0;
  const count = Math.min(trios, Math.floor(players.length / 4));
  for (let i = 0; i < count; i++) {
    const [a, c, b] = /** @type {[Player, Player, Player]} */ (players.slice(4 * i, 4 * i + 3));
    const at = randomPoint(area);
    const sinceA = a.events.length;
    await requestMatch(a, at, radiusKm);
    await requestMatch(b, at, radiusKm);
    const offer = await nextEvent(a, (e) => e.type === 'OFFERED' && a.events.indexOf(e) >= sinceA);
    if (!offer?.matchId) {
      missed++;
      await Promise.all([cancelMatch(a), cancelMatch(b)]);
      continue;
    }
    await Promise.all([acceptMatch(a, offer.matchId), acceptMatch(b, offer.matchId)]);
    const matched = await nextEvent(a, (e) => e.type === 'MATCHED' && e.matchId === offer.matchId);
    const waiting = await requestMatch(c, at, radiusKm);
    if (!matched || waiting.data?.requestMatch?.state !== 'SEARCHING') {
      missed++;
      await Promise.all([cancelMatch(a), cancelMatch(c)]);
      continue;
    }
    const since = a.events.length;
    const t0 = performance.now();
    const [res, next] = await Promise.all([
      nextMatch(a, at, radiusKm),
      nextEvent(a, (e) => e.type === 'OFFERED' && a.events.indexOf(e) >= since),
    ]);
    responses.push(performance.now() - t0);
    if (!next || next.partner?.id !== c.userId || res.data?.nextMatch?.state !== 'OFFERED') missed++;
    else offered.push(next.at - t0);
    await Promise.all([cancelMatch(a), cancelMatch(c)]);
  }
  ctx.log(`  next -> new offer: p50 ${ms(latencySummary(offered).p50)} (${offered.length} of ${count})`);
  return { offered: latencySummary(offered), response: latencySummary(responses), trios: count, missed };
}

/**
 * Everyone asks at once on two instances; nobody answers. Each user must hold at most one offer, mutual.
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {Player[]} players
 */
export async function burst(ctx, players) {
  const marks = players.map((p) => p.events.length);
  await Promise.all(players.map((p, i) => requestMatch(p, randomPoint(BURST), 1 + (i % 10))));
  await sleep(ctx.quick ? 1000 : 2000);
  /** @type {Map<string, Set<string | null>>} */
  const offersByUser = new Map();
  /** @type {Map<string | null, [userId: string, partnerId: string | undefined][]>} */
  const seenBy = new Map();
  players.forEach((p, i) => {
    const offered = p.events.slice(marks[i]).filter((e) => e.type === 'OFFERED');
    offersByUser.set(p.userId, new Set(offered.map((e) => e.matchId)));
    for (const e of offered) {
      const seen = seenBy.get(e.matchId) ?? [];
      seenBy.set(e.matchId, seen);
      seen.push([p.userId, e.partner?.id]);
    }
  });
  let doubles = 0;
  for (const ids of offersByUser.values()) if (ids.size > 1) doubles++;
  let broken = 0;
  for (const seen of seenBy.values()) {
    const [x, y] = seen;
    if (seen.length !== 2 || !x || !y || x[1] !== y[0] || y[1] !== x[0]) broken++;
  }
  await pool(players, 50, (p) => cancelMatch(p));
  return { users: players.length, offers: seenBy.size, doubles, broken };
}
