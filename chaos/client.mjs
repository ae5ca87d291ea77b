// One chaos user, behaving as the web app does: GraphQL over HTTP through nginx for mutations and
// queries, one graphql-ws socket (reconnecting forever) for roomEvents / matchEvents, access tokens
// refreshed shortly before they expire, sends kept with their clientMessageId and retried until
// acknowledged, a catch-up with messagesAfter after every reconnect. Everything it sees is
// recorded in `Metrics` (chaos/metrics.mjs) for the verdicts.
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const AUTH_FIELDS = 'accessToken accessTokenExpiresAt refreshToken user { id }';
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const SEND =
  'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq clientMessageId roomId sender { id } } }';
const AFTER =
  'query($roomId: ID!, $afterSeq: Int!) { messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: 100) { id seq clientMessageId sender { id } } }';
const ROOM_EVENTS =
  'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type message { id seq clientMessageId sender { id } } } }';
const MATCH_EVENTS = 'subscription { matchEvents { type matchId room { id } } }';
const REQUEST_MATCH = 'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }';
const RESPOND = 'mutation($id: ID!, $ok: Boolean!) { respondToMatch(matchId: $id, accept: $ok) { state } }';
const MATCH_STATUS = 'query { matchStatus { state } }';

/** Codes a client retries (after retryAfterMs when given). */
const RETRYABLE = new Set(['UNAVAILABLE', 'RATE_LIMITED']);
/** How long one HTTP attempt may take before the client gives up on it. */
const ATTEMPT_TIMEOUT_MS = 15_000;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @typedef {object} Attempt the outcome of one HTTP request
 * @property {any} [data]
 * @property {string} [code] extensions.code of the first error; 'HTTP_<status>' for a non-GraphQL answer; 'NETWORK' when none came
 * @property {number} [retryAfterMs]
 * @property {number} ms
 * @property {string} [message] the first error's message
 * @property {string} [requestId] the server's x-request-id, to find the request in the API logs
 */

/**
 * @typedef {{ id: string, seq: number, clientMessageId: string, sender: { id: string } }} WireMessage
 */

export class ChaosUser {
  /**
   * @param {{ graphqlUrl: string, wsUrl: string }} api nginx's URLs
   * @param {import('./metrics.mjs').Metrics} metrics
   * @param {string} name
   */
  constructor(api, metrics, name) {
    this.api = api;
    this.metrics = metrics;
    this.name = name;
    this.email = `${name}-${randomUUID().slice(0, 8)}@chaos.test`;
    this.password = 'chaos-password-1';
    /** @type {string} */
    this.id = '';
    this.access = '';
    this.accessExpiresAt = 0;
    this.refresh = '';
    /** @type {Promise<void> | undefined} */
    this.refreshing = undefined;
    /** @type {import('graphql-ws').Client | undefined} */
    this.ws = undefined;
    this.connects = 0;
    /** @type {string | undefined} */
    this.roomId = undefined;
    /** seq → clientMessageId of every message of the room received (live or by catch-up) */
    /** @type {Map<number, string>} */
    this.received = new Map();
    /** clientMessageId → the seqs it was received with (more than one is a duplicate delivery) */
    /** @type {Map<string, Set<number>>} */
    this.seqsByClientId = new Map();
    this.contiguous = 0;
    /** @type {{ clientMessageId: string, body: string }[]} */
    this.outbox = [];
    this.sending = false;
    this.stopped = false;
    /** @type {string[] | undefined} set while a catch-up runs: its requests, as the report shows them */
    this.attempts = undefined;
    /** what the last catch-up's requests were */
    this.lastCatchUp = '';
    /** @type {(() => void) | undefined} called after every reconnect of the socket */
    this.onReconnect = undefined;
    /** when the token the socket authenticated with expires */
    this.socketTokenExpiresAt = 0;
    /** why the socket last closed: 'token expiry' (the server's 4401 at expiry, routine) or 'fault' */
    this.lastClose = 'fault';
    /** searchers: where they search, and what made them search again since the Redis restart */
    /** @type {{ latitude: number, longitude: number } | undefined} */
    this.searchAt = undefined;
    /** @type {string[]} */
    this.requeuedBy = [];
  }

  /**
   * One HTTP attempt (recorded as a failure when it fails).
   * @param {string} kind what the request is, for the report
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @param {boolean} [auth]
   * @param {'http' | 'socket'} [via] over HTTP (through nginx), or over the user's graphql-ws socket
   *   (as its own session: the socket authenticated when it connected)
   * @returns {Promise<Attempt>}
   */
  async attempt(kind, query, variables, auth = true, via = 'http') {
    const tokenWait = Date.now();
    const token = auth && via === 'http' ? await this.token() : undefined;
    const tokenValidUntil = via === 'http' ? this.accessExpiresAt : this.socketTokenExpiresAt;
    const started = Date.now();
    if (started - tokenWait > 20) this.attempts?.push(`waited ${started - tokenWait} ms for a token`);
    /** @type {Attempt} */
    let result;
    if (via === 'socket') result = await this.socketAttempt(query, variables, started);
    else
      try {
        const res = await fetch(this.api.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const text = await res.text();
        /** @type {{ data?: any, errors?: { message?: string, extensions?: { code?: string, retryAfterMs?: number } }[] } | undefined} */
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const ms = Date.now() - started;
        const requestId = res.headers.get('x-request-id') ?? undefined;
        if (!json) result = { code: `HTTP_${res.status}`, ms, requestId };
        else if (json.errors?.length) {
          const ext = json.errors[0]?.extensions ?? {};
          result = {
            code: ext.code ?? 'NO_CODE',
            retryAfterMs: ext.retryAfterMs,
            ms,
            message: json.errors[0]?.message,
            requestId,
          };
        } else result = { data: json.data, ms, requestId };
      } catch {
        result = { code: 'NETWORK', ms: Date.now() - started };
      }
    this.metrics.request(result.ms, kind);
    if (kind !== 'sendMessage')
      this.attempts?.push(`${kind} ${result.code ?? 'ok'} ${result.ms} ms (${result.requestId ?? 'no id'})`);
    if (result.code) {
      this.metrics.failure({
        kind,
        code: result.code,
        ms: result.ms,
        at: started,
        message: result.message,
        requestId: result.requestId,
      });
      if (result.code === 'UNAUTHENTICATED' && auth && tokenValidUntil > started + 1000)
        this.metrics.loggedOut(this.name, `${kind}: an unexpired access token was refused`);
    }
    return result;
  }

  /**
   * One query over the graphql-ws socket (queued by the client while it reconnects).
   * @param {string} query
   * @param {Record<string, unknown> | undefined} variables
   * @param {number} started
   * @returns {Promise<Attempt>}
   */
  socketAttempt(query, variables, started) {
    const ws = /** @type {import('graphql-ws').Client} */ (this.ws);
    return new Promise((resolve) => {
      let settled = false;
      /** @type {() => void} */
      let unsubscribe = () => undefined;
      // The sinks may run before subscribe() returns: unsubscribe once it has.
      const done = (/** @type {Attempt} */ result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
        queueMicrotask(() => unsubscribe());
      };
      const timer = setTimeout(() => done({ code: 'NETWORK', ms: Date.now() - started }), ATTEMPT_TIMEOUT_MS);
      unsubscribe = ws.subscribe(
        { query, variables },
        {
          next: (msg) => {
            const ms = Date.now() - started;
            const first = msg.errors?.[0];
            const ext = /** @type {{ code?: string, retryAfterMs?: number }} */ (first?.extensions ?? {});
            done(
              first
                ? { code: ext.code ?? 'NO_CODE', retryAfterMs: ext.retryAfterMs, ms, message: first.message }
                : { data: msg.data, ms },
            );
          },
          // A socket closed before the answer, or errors before execution (graphql-ws's error message).
          error: (err) => {
            const first = Array.isArray(err) ? err[0] : undefined;
            const code = first?.extensions?.code;
            done({
              code: typeof code === 'string' ? code : 'NETWORK',
              ms: Date.now() - started,
              message: first?.message,
            });
          },
          complete: () => done({ code: 'NETWORK', ms: Date.now() - started }),
        },
      );
    });
  }

  /**
   * Retries `query` until it answers data (or the user is stopped and `untilStopped`); waits
   * retryAfterMs (or 200–400 ms) between attempts; an UNAUTHENTICATED answer refreshes first.
   * @param {string} kind
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @param {{ auth?: boolean, deadline?: number, via?: 'http' | 'socket' }} [options] deadline: Date.now() scale
   */
  async call(kind, query, variables, { auth = true, deadline = Infinity, via = 'http' } = {}) {
    for (;;) {
      const res = await this.attempt(kind, query, variables, auth, via);
      if (res.data) return res.data;
      if (Date.now() > deadline) throw new Error(`${this.name} ${kind}: gave up (last ${res.code})`);
      if (res.code === 'UNAUTHENTICATED' && auth) await this.refreshTokens(true);
      else if (res.code && !RETRYABLE.has(res.code) && !res.code.startsWith('HTTP_') && res.code !== 'NETWORK') {
        // Not a retryable answer: a real client would show it; the harness still retries (the
        // failure is recorded) so that one bad answer does not end the user's run.
      }
      await sleep(res.retryAfterMs ?? 200 + Math.random() * 200);
    }
  }

  /** @param {{ accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string } }} auth */
  adopt(auth) {
    this.access = auth.accessToken;
    this.accessExpiresAt = Date.parse(auth.accessTokenExpiresAt);
    this.refresh = auth.refreshToken;
    this.id = auth.user.id;
  }

  /** Signs up; when the account exists (an earlier attempt was stored but not answered), logs in. */
  async signUp() {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const input = { email: this.email, password: this.password, nickname: this.name.slice(0, 20) };
      const res = await this.attempt('signUp', SIGN_UP, { input }, false);
      if (res.data) return this.adopt(res.data.signUp);
      if (res.code === 'CONFLICT') {
        const data = await this.call(
          'logIn',
          LOG_IN,
          { input: { email: this.email, password: this.password } },
          {
            auth: false,
            deadline,
          },
        );
        return this.adopt(data.logIn);
      }
      if (Date.now() > deadline) throw new Error(`${this.name} signUp: gave up (last ${res.code})`);
      await sleep(res.retryAfterMs ?? 200 + Math.random() * 200);
    }
  }

  /** A current access token: refreshed (once, shared by concurrent callers) when it expires within 3 s. */
  async token() {
    if (this.accessExpiresAt - Date.now() < 3000) await this.refreshTokens(false);
    return this.access;
  }

  /**
   * Exchanges the refresh token (single flight). A refresh answered UNAUTHENTICATED means the
   * session is gone: counted as logged out, and the user logs in again with the password.
   * @param {boolean} force also when the access token is not about to expire
   */
  refreshTokens(force) {
    if (!force && this.accessExpiresAt - Date.now() >= 3000) return Promise.resolve();
    this.refreshing ??= (async () => {
      /** @type {{ code: string, ms: number, at: number } | undefined} the last failed attempt with the current refresh token */
      let lastFailure;
      try {
        for (;;) {
          const startedAt = Date.now();
          const res = await this.attempt('refreshToken', REFRESH, { t: this.refresh }, false);
          const previous = lastFailure;
          lastFailure = res.code ? { code: res.code, ms: res.ms, at: startedAt } : undefined;
          if (res.data) return this.adopt(res.data.refreshToken);
          if (res.code === 'UNAUTHENTICATED') {
            // The previous attempt with the same refresh token, if it failed: a retry after an
            // answer that never came (or UNAVAILABLE) tells whether the server rotated anyway.
            const before = previous
              ? ` (a retry: the previous attempt with this token failed ${previous.code} after ${previous.ms} ms, started ${startedAt - previous.at} ms earlier)`
              : ' (first attempt with this token)';
            this.metrics.loggedOut(this.name, `refreshToken answered UNAUTHENTICATED${before}`);
            const data = await this.call(
              'logIn',
              LOG_IN,
              { input: { email: this.email, password: this.password } },
              { auth: false },
            );
            return this.adopt(data.logIn);
          }
          await sleep(res.retryAfterMs ?? 200 + Math.random() * 200);
        }
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * Opens the graphql-ws socket: reconnects forever; `onConnected(reconnect)` after every ack.
   * @param {(reconnect: boolean) => void} onConnected
   */
  connect(onConnected) {
    this.ws = createClient({
      url: this.api.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      onNonLazyError: () => undefined,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => !this.stopped,
      retryWait: () => sleep(200 + Math.random() * 300),
      connectionParams: async () => {
        const token = await this.token();
        this.socketTokenExpiresAt = this.accessExpiresAt;
        return { authorization: `Bearer ${token}` };
      },
      on: {
        connected: () => {
          this.connects++;
          onConnected(this.connects > 1);
        },
        closed: (event) => {
          const code = /** @type {{ code?: number }} */ (event).code;
          // The server closes a socket whose access token expired (4401): the client reconnects
          // with a fresh one. Only a refusal of a token still valid is a logout.
          const expired = this.socketTokenExpiresAt <= Date.now() + 1000;
          this.lastClose = code === 4401 && expired ? 'token expiry' : 'fault';
          if ((code === 4401 || code === 4403) && !this.stopped && !expired)
            this.metrics.loggedOut(this.name, `socket closed ${code} with an unexpired access token`);
        },
      },
    });
  }

  /**
   * Subscribes to `query` on the socket; `onEvent` gets each payload's data.
   * @param {string} query
   * @param {Record<string, unknown>} variables
   * @param {(data: any) => void} onEvent
   */
  subscribe(query, variables, onEvent) {
    const ws = /** @type {import('graphql-ws').Client} */ (this.ws);
    return ws.subscribe(
      { query, variables },
      {
        next: (msg) => msg.data && onEvent(msg.data),
        // Errors end this subscription (e.g. UNAUTHENTICATED before a refresh): subscribe again.
        error: () => {
          if (!this.stopped) setTimeout(() => this.subscribe(query, variables, onEvent), 300);
        },
        complete: () => undefined,
      },
    );
  }

  // ---- chat ----

  /** @param {WireMessage} message */
  receive(message) {
    this.received.set(message.seq, message.clientMessageId);
    const seqs = this.seqsByClientId.get(message.clientMessageId) ?? new Set();
    seqs.add(message.seq);
    this.seqsByClientId.set(message.clientMessageId, seqs);
    while (this.received.has(this.contiguous + 1)) this.contiguous++;
  }

  /** Starts chatting in `roomId`: the roomEvents subscription, a catch-up after each reconnect. */
  joinRoom(/** @type {string} */ roomId) {
    this.roomId = roomId;
    this.subscribe(ROOM_EVENTS, { roomId }, (data) => {
      const event = data.roomEvents;
      if (event?.type === 'MESSAGE' && event.message) this.receive(event.message);
    });
  }

  /**
   * Reads messagesAfter from the last contiguous seq until nothing newer is left; resolves with
   * how long it took (ms).
   * @param {number} [deadline]
   * @param {'socket' | 'http'} [via] the socket after a reconnect, as the web app does; HTTP for the
   *   final check (sockets stop reconnecting once the user is stopped)
   */
  async catchUp(deadline = Infinity, via = 'socket') {
    const started = Date.now();
    // The requests (other than sends) while it runs, for the report; a catch-up started meanwhile
    // (the final one after a reconnect's) collects its own.
    /** @type {string[]} */
    const attempts = [];
    this.attempts = attempts;
    try {
      for (;;) {
        // Over the socket that just reconnected, as the web app does: an HTTP request may need a
        // new connection to an instance, and a busy instance accepts new connections slowly.
        const data = await this.call(
          'messagesAfter',
          AFTER,
          { roomId: this.roomId, afterSeq: this.contiguous },
          { deadline, via },
        );
        /** @type {WireMessage[]} */
        const page = data.messagesAfter;
        for (const m of page) this.receive(m);
        if (page.length < 100) return Date.now() - started;
      }
    } finally {
      this.lastCatchUp = attempts.join(', ');
      if (this.attempts === attempts) this.attempts = undefined;
    }
  }

  /** Queues one message (kept until acknowledged) and makes sure the sender loop runs. */
  enqueue(/** @type {string} */ body) {
    this.outbox.push({ clientMessageId: randomUUID(), body });
    this.metrics.sent++;
    if (!this.sending) void this.drain();
  }

  /** Sends the outbox in order, each message retried with its clientMessageId until acknowledged. */
  async drain() {
    this.sending = true;
    try {
      while (this.outbox.length > 0 && !this.stopped) {
        const next = /** @type {{ clientMessageId: string, body: string }} */ (this.outbox[0]);
        for (;;) {
          if (this.stopped) return;
          const res = await this.attempt('sendMessage', SEND, {
            input: { roomId: this.roomId, body: next.body, clientMessageId: next.clientMessageId },
          });
          if (res.data) {
            const m = res.data.sendMessage;
            this.metrics.acked(this.id, /** @type {string} */ (this.roomId), m.clientMessageId, m.seq, m.id);
            break;
          }
          if (res.code === 'UNAUTHENTICATED') await this.refreshTokens(true);
          else await sleep(res.retryAfterMs ?? 200 + Math.random() * 200);
        }
        this.outbox.shift();
      }
    } finally {
      this.sending = false;
    }
  }

  // ---- matching ----

  /**
   * @param {{ latitude: number, longitude: number }} at
   * @param {number} radiusKm
   */
  requestMatch(at, radiusKm) {
    return this.call('requestMatch', REQUEST_MATCH, { input: { ...at, radiusKm } });
  }

  /** @param {string} matchId @param {boolean} accept */
  respond(matchId, accept) {
    return this.call('respondToMatch', RESPOND, { id: matchId, ok: accept });
  }

  async matchState() {
    const data = await this.call('matchStatus', MATCH_STATUS);
    return /** @type {string} */ (data.matchStatus.state);
  }

  /**
   * Subscribes to matchEvents; `onEvent` gets each event.
   * @param {(event: { type: string, matchId: string, room: { id: string } | null }) => void} onEvent
   */
  matchEvents(onEvent) {
    return this.subscribe(MATCH_EVENTS, {}, (data) => onEvent(data.matchEvents));
  }

  async close() {
    this.stopped = true;
    await this.ws?.dispose();
  }
}
