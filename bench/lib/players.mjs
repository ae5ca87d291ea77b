// Matching players driven from the orchestrator: a graphql-ws matchEvents subscription each (raw
// protocol) and requestMatch / cancelMatch over HTTP. Arrival times use performance.now().
import { createRequire } from 'node:module';
import { gql } from './graphql.mjs';
import { pool } from './util.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const MATCH_EVENTS = 'subscription { matchEvents { type matchId distanceKm expiresAt partner { id nickname } } }';
const REQUEST =
  'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state radiusKm offer { type matchId } } }';
const CANCEL = 'mutation { cancelMatch { state } }';

export async function connectPlayers(users, apis) {
  const players = [];
  await pool(users, 50, async (user, i) => {
    const api = apis[i % apis.length];
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
          resolve();
        } else if (msg.type === 'next' && msg.payload?.data) {
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

/** Resolves with the first event (already received or future) matching `predicate`, or null after timeoutMs. */
export function nextEvent(player, predicate, timeoutMs = 5000) {
  const seen = player.events.find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      player.waiters = player.waiters.filter((w) => w !== waiter);
      resolve(null);
    }, timeoutMs);
    const waiter = (event) => {
      if (!predicate(event)) return false;
      clearTimeout(timer);
      resolve(event);
      return true;
    };
    player.waiters.push(waiter);
  });
}

export const requestMatch = (player, { lat, lon }, radiusKm, api = player.api) =>
  gql(api.graphqlUrl, player.token, REQUEST, { input: { latitude: lat, longitude: lon, radiusKm } });

export const cancelMatch = (player) => gql(player.api.graphqlUrl, player.token, CANCEL);

export function closePlayers(players) {
  for (const p of players) p?.ws?.terminate();
}
