import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/context';
import { backoffMs } from '../api/backoff';
import { apiFailure, isTransient, toApiError, type ApiError } from '../api/errors';
import type { LogInInput, MeFieldsFragment, SessionFieldsFragment, SignUpInput } from '../gql/graphql';
import { LogInDocument, LogOutDocument, RefreshSessionDocument, SignUpDocument } from '../operations/auth';

export type SessionStatus = 'restoring' | 'anonymous' | 'authenticated';

/** Why the API ended a session (`extensions.reason` of a refused refresh). */
export const SESSION_END_REASONS = [
  'LOGGED_OUT',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET',
  'SESSION_REVOKED',
  'ACCOUNT_DELETED',
  'SUSPENDED',
  'BANNED',
] as const;
/** Why the last session ended without the user asking here: the API's reason, or just 'expired'. */
export type EndedReason = (typeof SESSION_END_REASONS)[number] | 'expired';

/** The API's reason when it gave one it documents, else null. */
const endReasonOf = (error: ApiError): EndedReason | null =>
  (SESSION_END_REASONS as readonly string[]).includes(error.reason ?? '') ? (error.reason as EndedReason) : null;

/** Refresh this long before the access token expires (milliseconds), plus up to 10 s of jitter. */
const REFRESH_LEAD_MS = 60_000;
/** A token closer than this to its expiry is refreshed before use (milliseconds). */
const FRESH_MARGIN_MS = 30_000;
/** A parallel refresh from another tab is refused for a moment; try once more after this (ms). */
const SECOND_TRY_MS = 1_500;
/** After a refresh failed without an answer about the session (outage), try again after this (ms). */
const REFRESH_RETRY_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The wait before asking again: what the API said (UNAVAILABLE's retryAfterMs), else a backoff. */
const retryDelay = (error: ApiError, attempt: number) => error.retryAfterMs ?? backoffMs(Math.min(attempt, 5));

/**
 * The login session (DESIGN.md §7). The access token lives in this store's memory only; the
 * refresh token is the API's HttpOnly cookie, so `restore()` (no argument) brings a session back
 * after a reload, and `refresh()` rotates it shortly before the access token expires.
 */
export const useAuthStore = defineStore('auth', () => {
  const api = useApi();
  const accessToken = ref<string | null>(null);
  const expiresAt = ref(0);
  const receivedAt = ref(0);
  const user = ref<MeFieldsFragment | null>(null);
  const status = ref<SessionStatus>('restoring');
  /** Why the last session ended without the user asking (shown on the login screen). */
  const endedReason = ref<EndedReason | null>(null);

  let inFlight: Promise<boolean> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const isLoggedIn = computed(() => status.value === 'authenticated');

  function schedule() {
    if (timer) clearTimeout(timer);
    const delay = Math.max(5_000, expiresAt.value - Date.now() - REFRESH_LEAD_MS - Math.random() * 10_000);
    timer = setTimeout(() => void refresh(), delay);
  }

  /** Takes the tokens of a new session (logIn, signUp, refreshToken, changePassword). */
  function applySession(payload: SessionFieldsFragment) {
    accessToken.value = payload.accessToken;
    expiresAt.value = new Date(payload.accessTokenExpiresAt).getTime();
    receivedAt.value = Date.now();
    user.value = payload.user;
    status.value = 'authenticated';
    endedReason.value = null;
    schedule();
  }

  /**
   * Forgets the session. `reason`: why it ended, shown on the login screen when the person was
   * logged in here, or whenever the API named it (a session that ended while the app was closed).
   */
  function clear(reason: EndedReason | null = null) {
    if (timer) clearTimeout(timer);
    timer = null;
    const wasLoggedIn = status.value === 'authenticated';
    accessToken.value = null;
    expiresAt.value = 0;
    user.value = null;
    status.value = 'anonymous';
    endedReason.value = wasLoggedIn || reason !== 'expired' ? reason : null;
  }

  async function callRefresh(): Promise<SessionFieldsFragment> {
    const { data } = await api.client.mutate({ mutation: RefreshSessionDocument });
    if (!data) throw new Error('Empty refreshToken answer');
    return data.refreshToken;
  }

  /**
   * Only the API refusing the refresh token (UNAUTHENTICATED: unknown, expired, revoked or reused)
   * ends the session. A network error, a 5xx, UNAVAILABLE or RATE_LIMITED says nothing about it:
   * the session stays and the refresh is tried again later (faults must log nobody out).
   */
  async function doRefresh(): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        applySession(await callRefresh());
        return true;
      } catch (err) {
        const error = toApiError(err);
        if (error.code !== 'UNAUTHENTICATED') {
          if (timer) clearTimeout(timer);
          if (status.value === 'authenticated')
            timer = setTimeout(() => void refresh(), Math.max(REFRESH_RETRY_MS, error.retryAfterMs ?? 0));
          return false;
        }
        // The API says why the session ended (a password reset elsewhere...): no second try.
        const reason = endReasonOf(error);
        // Else a parallel refresh (another tab) may have rotated the cookie a moment ago: once more.
        if (!reason && attempt === 0 && status.value === 'authenticated') {
          await sleep(SECOND_TRY_MS);
          continue;
        }
        clear(reason ?? 'expired');
        return false;
      }
    }
  }

  /** Rotates the session through the refresh cookie; concurrent callers share one request. */
  function refresh(): Promise<boolean> {
    inFlight ??= doRefresh().finally(() => (inFlight = null));
    return inFlight;
  }

  /**
   * Brings back the session of the refresh cookie, if any (on app load). While the API is out of
   * reach or UNAVAILABLE it keeps trying (status stays 'restoring'); any answer about the cookie
   * itself (none, expired, revoked) makes the visitor anonymous.
   */
  async function restore(): Promise<void> {
    status.value = 'restoring';
    for (let attempt = 0; status.value === 'restoring'; attempt++) {
      try {
        applySession(await callRefresh());
      } catch (err) {
        const error = toApiError(err);
        if (!isTransient(error)) clear(endReasonOf(error));
        else await sleep(retryDelay(error, attempt));
      }
    }
  }

  /** The access token for a request, refreshed first when it is about to expire. */
  async function freshAccessToken(): Promise<string | null> {
    if (inFlight) await inFlight;
    if (!accessToken.value) return null;
    const now = Date.now();
    if (expiresAt.value - now < FRESH_MARGIN_MS && now - receivedAt.value > 10_000) await refresh();
    return accessToken.value;
  }

  async function logIn(input: LogInInput): Promise<void> {
    try {
      const { data } = await api.client.mutate({ mutation: LogInDocument, variables: { input } });
      applySession(data!.logIn);
    } catch (err) {
      throw apiFailure(err);
    }
  }

  async function signUp(input: SignUpInput): Promise<void> {
    try {
      const { data } = await api.client.mutate({ mutation: SignUpDocument, variables: { input } });
      applySession(data!.signUp);
    } catch (err) {
      throw apiFailure(err);
    }
  }

  /** Ends the session on the server (through the cookie) and here, even when the server is away. */
  async function logOut(): Promise<void> {
    try {
      await api.client.mutate({ mutation: LogOutDocument });
    } catch {
      // The local session ends regardless; the refresh token expires on its own.
    }
    clear();
  }

  function setUser(me: MeFieldsFragment) {
    user.value = me;
  }

  return {
    accessToken,
    expiresAt,
    receivedAt,
    user,
    status,
    endedReason,
    isLoggedIn,
    applySession,
    refresh,
    restore,
    freshAccessToken,
    logIn,
    signUp,
    logOut,
    setUser,
    clear,
  };
});
