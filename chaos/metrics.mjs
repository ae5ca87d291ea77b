// What the chaos run observed, and the verdicts computed from it at the end.

/** Error codes the API documents (api/src/infra/graphql/errors.ts), except the generic one. */
const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
]);
/** What nginx answers (as HTML) when the instance behind it died mid-request: no API answer at all. */
const GATEWAY = new Set(['HTTP_502', 'HTTP_504']);

/**
 * Percentile of `values` (nearest rank), 0 for none.
 * @param {number[]} values
 * @param {number} p 0..100
 */
export function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

export class Metrics {
  constructor() {
    this.t0 = Date.now();
    this.sent = 0;
    /** @type {{ sender: string, roomId: string, clientMessageId: string, seq: number, id: string }[]} */
    this.acks = [];
    /** @type {{ kind: string, code: string, ms: number, at: number, message?: string, requestId?: string }[]} */
    this.failures = [];
    /** every HTTP attempt during the load, and those (any outcome) that took more than 3 s, per kind */
    this.requests = 0;
    /** @type {Record<string, number>} */
    this.slowRequests = {};
    /** @type {Map<string, string>} `kind code` → the first error message seen, with its time and request id */
    this.samples = new Map();
    /** @type {Map<string, string[]>} user → why */
    this.loggedOutUsers = new Map();
    /** @type {{ name: string, at: number, until?: number, detail?: string }[]} */
    this.faults = [];
    /** @type {{ user: string, at: number, ms: number, reason: string, detail?: string }[]} */
    this.catchUps = [];
    /** @type {{ at: number, ms: number }[]} stalls (> 100 ms) of the harness's own event loop */
    this.harnessStalls = [];
    this.harnessLagMax = 0;
  }

  /** @param {number} ms @param {string} kind */
  request(ms, kind) {
    if (Date.now() - ms < this.t0) return;
    this.requests++;
    if (ms > 3000) this.slowRequests[kind] = (this.slowRequests[kind] ?? 0) + 1;
  }

  /** @param {{ kind: string, code: string, ms: number, at: number, message?: string, requestId?: string }} f */
  failure(f) {
    this.failures.push(f);
    const key = `${f.kind} ${f.code}`;
    if (!this.samples.has(key))
      this.samples.set(key, `${f.message ?? ''} (t=${this.rel(f.at)}s, ${f.ms} ms, request ${f.requestId ?? 'none'})`);
  }

  /** @param {string} user @param {string} why */
  loggedOut(user, why) {
    const list = this.loggedOutUsers.get(user) ?? [];
    list.push(why);
    this.loggedOutUsers.set(user, list);
  }

  /**
   * @param {string} sender @param {string} roomId @param {string} clientMessageId @param {number} seq @param {string} id
   */
  acked(sender, roomId, clientMessageId, seq, id) {
    this.acks.push({ sender, roomId, clientMessageId, seq, id });
  }

  /**
   * Records a fault; returns it so that `until` can be set when it ends.
   * @param {string} name @param {string} [detail]
   */
  fault(name, detail) {
    const f = { name, at: Date.now(), detail, until: /** @type {number | undefined} */ (undefined) };
    this.faults.push(f);
    return f;
  }

  /**
   * @param {string} user @param {number} at when the socket reconnected @param {number} ms
   * @param {string} reason why the socket had closed ('token expiry' is routine, not a fault)
   * @param {string} [detail] its requests, with their times and request ids
   */
  catchUp(user, at, ms, reason, detail) {
    this.catchUps.push({ user, at, ms, reason, detail });
  }

  /** @param {number} at @param {number} lagMs how late a 50 ms timer of the harness fired */
  harnessLag(at, lagMs) {
    this.harnessLagMax = Math.max(this.harnessLagMax, lagMs);
    if (lagMs > 100) this.harnessStalls.push({ at, ms: Math.round(lagMs) });
  }

  /** Seconds since the start, for the report. */
  rel(/** @type {number} */ at) {
    return Math.round((at - this.t0) / 100) / 10;
  }

  /**
   * The failed requests: total, slow (> 3 s), without a documented code (no code, a non-GraphQL
   * answer other than nginx's 502/504, INTERNAL_SERVER_ERROR), gateway answers, per code.
   */
  failureSummary() {
    /** @type {Record<string, number>} */
    const byCode = {};
    /** @type {Record<string, number>} */
    const duringSetup = {};
    for (const f of this.failures)
      if (f.at < this.t0) duringSetup[`${f.kind} ${f.code}`] = (duringSetup[`${f.kind} ${f.code}`] ?? 0) + 1;
    const failures = this.failures.filter((f) => f.at >= this.t0);
    for (const f of failures) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    const slow = failures.filter((f) => f.ms > 3000);
    const uncoded = failures.filter((f) => !KNOWN_CODES.has(f.code) && !GATEWAY.has(f.code));
    return {
      duringSetup,
      total: failures.length,
      slowerThan3s: slow.length,
      slowestMs: Math.max(0, ...failures.map((f) => f.ms)),
      withoutDocumentedCode: uncoded.length,
      uncodedByKind: uncoded.reduce(
        (acc, f) => ({ ...acc, [`${f.kind} ${f.code}`]: (acc[`${f.kind} ${f.code}`] ?? 0) + 1 }),
        /** @type {Record<string, number>} */ ({}),
      ),
      gateway: failures.filter((f) => GATEWAY.has(f.code)).length,
      byCode,
      byKind: failures.reduce(
        (acc, f) => ({ ...acc, [`${f.kind} ${f.code}`]: (acc[`${f.kind} ${f.code}`] ?? 0) + 1 }),
        /** @type {Record<string, number>} */ ({}),
      ),
      // What the server said, e.g. a send refused by an overloaded instance ("busy") against one
      // refused by a backend outage: by request kind, code and message.
      byMessage: failures.reduce((acc, f) => {
        const key = `${f.kind} ${f.code}: ${f.message ?? ''}`;
        return { ...acc, [key]: (acc[key] ?? 0) + 1 };
      }, /** @type {Record<string, number>} */ ({})),
      samples: Object.fromEntries(this.samples),
      slowest: [...slow]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((f) => `${f.kind} ${f.code} at t=${this.rel(f.at)}s: ${f.ms} ms (request ${f.requestId ?? 'none'})`),
      slowByCode: slow.reduce(
        (acc, f) => ({ ...acc, [f.code]: (acc[f.code] ?? 0) + 1 }),
        /** @type {Record<string, number>} */ ({}),
      ),
    };
  }

  /**
   * Catch-up times after reconnects, per fault (a reconnect belongs to the latest fault started before it).
   */
  catchUpSummary() {
    // A catch-up cannot progress while the database is stalled or partitioned away: the part of an
    // outage it overlaps (it started in one, or one began while it ran) is not counted, so `ms` is
    // the catch-up after the fault; `fromReconnect` keeps the time from the reconnect itself.
    const outages = this.faults.filter((f) => /^(database stalled|partition)/.test(f.name) && f.until !== undefined);
    const afterFaults = this.catchUps
      .filter((c) => c.reason !== 'token expiry')
      .map((c) => {
        const end = c.at + c.ms;
        const blocked = outages.reduce(
          (sum, f) => sum + Math.max(0, Math.min(end, /** @type {number} */ (f.until)) - Math.max(c.at, f.at)),
          0,
        );
        return { ...c, fromReconnect: c.ms, ms: Math.max(0, c.ms - blocked) };
      });
    const all = afterFaults.map((c) => c.ms);
    const expiry = this.catchUps.filter((c) => c.reason === 'token expiry').map((c) => c.ms);
    const perFault = this.faults.map((f, i) => {
      const next = this.faults[i + 1]?.at ?? Infinity;
      const mine = afterFaults.filter((c) => c.at >= f.at && c.at < next);
      const ms = mine.map((c) => c.ms);
      return {
        fault: f.name,
        at: this.rel(f.at),
        reconnects: ms.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        slowest: mine
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map(
            (c) =>
              `${c.user} at t=${this.rel(c.at)}s: ${c.ms} ms (${c.fromReconnect} ms from the reconnect): ${c.detail ?? ''}`,
          ),
      };
    });
    return {
      reconnects: all.length,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      p99FromReconnect: percentile(
        afterFaults.map((c) => c.fromReconnect),
        99,
      ),
      max: Math.max(0, ...all),
      perFault,
      expiry: {
        reconnects: expiry.length,
        p99: percentile(expiry, 99),
        slowest: this.catchUps
          .filter((c) => c.reason === 'token expiry')
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map((c) => `${c.user} at t=${this.rel(c.at)}s: ${c.ms} ms: ${c.detail ?? ''}`),
      },
    };
  }
}
