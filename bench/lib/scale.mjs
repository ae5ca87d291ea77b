// How much each benchmark does: the full run and `--quick`. Durations are in the unit their name
// says; counts of users, rooms, messages and connections are what the seed and the load create.

/**
 * @typedef {typeof FULL} Scale
 */

/** The full run (bench/RESULTS.md). */
export const FULL = {
  me: { rounds: 3, durationSec: 5, connections: 50 },
  rooms: {
    rounds: 3,
    durationSec: 5,
    connections: 16,
    k10Rooms: 10_000,
    k10Messages: 100,
    originalUsers: 10_003,
    originalMessages: 110,
    originalTokens: 500,
  },
  matching: {
    ballast: 100_000,
    /** A fixed radius, or [min, max] km: a random whole radius per seeker. */
    radii: /** @type {import("../workers/geo-load.mjs").Radius[]} */ ([1, 5]),
    ttmRadii: [1, 5],
    rounds: 3,
    durationMs: 3000,
    workers: 2,
    concurrency: 2,
    seekersPerWorker: 8000,
    pairs: 100,
    burstUsers: 200,
  },
  latency: { rooms: 200, rates: [100, 1000], durationMs: 5000, rounds: 3, loadRadiusKm: 5, loadSeekers: 3000 },
  /** The sharded queue on the cluster: pairs of searchers enqueued, MATCH_CELL_KM of the sharded run. */
  shards: { pairs: 3000, concurrency: 64, cellKm: 10 },
  sockets: { connections: 20_000, rounds: 1, churnRounds: 1, workers: 4, probeRooms: 50 },
};
/** `--quick`: every benchmark at a small scale, for the correctness counters (npm test). */
/** @type {Scale} */
export const QUICK = {
  me: { rounds: 1, durationSec: 1, connections: 10 },
  rooms: {
    rounds: 1,
    durationSec: 1,
    connections: 4,
    k10Rooms: 300,
    k10Messages: 10,
    originalUsers: 303,
    originalMessages: 11,
    originalTokens: 20,
  },
  matching: {
    ballast: 2000,
    radii: [5],
    ttmRadii: [5],
    rounds: 1,
    durationMs: 700,
    workers: 2,
    concurrency: 1,
    seekersPerWorker: 3000,
    pairs: 10,
    burstUsers: 40,
  },
  latency: { rooms: 20, rates: [100], durationMs: 1000, rounds: 1, loadRadiusKm: 5, loadSeekers: 1000 },
  shards: { pairs: 200, concurrency: 16, cellKm: 10 },
  sockets: { connections: 400, rounds: 1, churnRounds: 1, workers: 2, probeRooms: 10 },
};
