// Matching players driven from the orchestrator: a graphql-ws matchEvents subscription each (raw
// protocol) and requestMatch / cancelMatch over HTTP. Arrival times use performance.now().
import WebSocket from 'ws';
import { gql } from './graphql.mjs';
import { pool } from './util.mjs';

/**
 * A matchEvents event as the subscription selects it, with its arrival time (performance.now()).
 * @typedef {object} MatchEvent
 * @property {string} type
 * @property {string | null} matchId
 * @property {number | null} distanceKm
 * @property {string | null} expiresAt
 * @property {{ id: string, nickname: string } | null} partner
 * @property {number} at
 */

/**
 * @typedef {object} Player
 * @property {string} userId
 * @property {string} token
 * @property {{ graphqlUrl: string, wsUrl: string }} api the instance it talks to
 * @property {MatchEvent[]} events every event received, in order
 * @property {((event: MatchEvent) => boolean)[]} waiters each returns true once satisfied (and is dropped)
 * @property {WebSocket} [ws]
 */

/** @typedef {{ requestMatch?: { state: string, radiusKm: number, offer: { type: string, matchId: string } | null } }} RequestMatchData */

const MATCH_EVENTS = 'subscription { matchEvents { type matchId distanceKm expiresAt partner { id nickname } } }';
const REQUEST =
  'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state radiusKm offer { type matchId } } }';
const CANCEL = 'mutation { cancelMatch { state } }';
const RESPOND = 'mutation($id: ID!) { respondToMatch(matchId: $id, accept: true) { state } }';
const NEXT =
  'mutation($input: MatchRequestInput!) { nextMatch(input: $input) { state radiusKm offer { type matchId } } }';

/**
 * @param {readonly { userId: string, token: string }[]} users
 * @param {readonly { graphqlUrl: string, wsUrl: string }[]} apis the players are spread over them
 * @returns {Promise<Player[]>}
 */
export async function connectPlayers(users, apis) {
  /** @type {Player[]} */
  const players = [];
  await pool(users, 50, async (user, i) => {
    const api = /** @type {{ graphqlUrl: string, wsUrl: string }} apis is not empty */ (apis[i % apis.length]);
    /** @type {Player} */
    const player = { ...user, api, events: [], waiters: [] };
    await new Promise((resolve, reject) => {
      const ws = new WebSocket(api.wsUrl, 'graphql-transport-ws');
      player.ws = ws;
      ws.on('open', () =>
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } })),
      );
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw));
        if (msg.type === 'connection_ack') {
          ws.send(JSON.stringify({ id: 'm', type: 'subscribe', payload: { query: MATCH_EVENTS } }));
          resolve(undefined);
        } else if (msg.type === 'next' && msg.payload?.data) {
          /** @type {MatchEvent} */
          const event = { ...msg.payload.data.matchEvents, at: performance.now() };
          player.events.push(event);
          player.waiters = player.waiters.filter((w) => !w(event));
        } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      ws.on('error', reject);
      ws.on('close', (code) => reject(new Error(`matchEvents socket closed ${code}`)));
    });
    players[i] = player;
  });
  return players;
}

/**
 * Resolves with the first event (already received or future) matching `predicate`, or null after timeoutMs.
 * @param {Player} player
 * @param {(event: MatchEvent) => boolean} predicate
 * @returns {Promise<MatchEvent | null>}
 */
export function nextEvent(player, predicate, timeoutMs = 5000) {
  const seen = player.events.find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      player.waiters = player.waiters.filter((w) => w !== waiter);
      resolve(null);
    }, timeoutMs);
    /** @param {MatchEvent} event */
    const waiter = (event) => {
      if (!predicate(event)) return false;
      clearTimeout(timer);
      resolve(event);
      return true;
    };
    player.waiters.push(waiter);
  });
}

/**
 * @param {Player} player
 * @param {{ lat: number, lon: number }} position
 * @param {number} radiusKm
 * @returns {Promise<import('./graphql.mjs').GqlAnswer<RequestMatchData>>}
 */
export const requestMatch = (player, { lat, lon }, radiusKm, api = player.api) =>
  gql(api.graphqlUrl, player.token, REQUEST, { input: { latitude: lat, longitude: lon, radiusKm } });

/** @param {Player} player */
export const cancelMatch = (player) => gql(player.api.graphqlUrl, player.token, CANCEL);

/**
 * @param {Player} player
 * @param {string} matchId
 */
export const acceptMatch = (player, matchId) => gql(player.api.graphqlUrl, player.token, RESPOND, { id: matchId });

/**
 * "Next": leaves the player's newest open room and searches again.
 * @param {Player} player
 * @param {{ lat: number, lon: number }} position
 * @param {number} radiusKm
 * @returns {Promise<import('./graphql.mjs').GqlAnswer<{ nextMatch?: RequestMatchData['requestMatch'] }>>}
 */
export const nextMatch = (player, { lat, lon }, radiusKm) =>
  gql(player.api.graphqlUrl, player.token, NEXT, { input: { latitude: lat, longitude: lon, radiusKm } });

/** @param {readonly (Player | undefined)[]} players */
export function closePlayers(players) {
  for (const p of players) p?.ws?.terminate();
}
