import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { useApi } from '../api/context';
import { apiFailure } from '../api/errors';
import { subscribeLive } from '../api/live';
import type { MatchEventPartsFragment, MatchRequestInput, MatchStatusFieldsFragment } from '../gql/graphql';
import { applyMatchEvent, fromStatus, idleView, type MatchView } from '../matching/events';
import {
  parsePreferences,
  preferencesProblem,
  toPreferencesInput,
  type MatchPreferences,
} from '../matching/preferences';
import {
  CancelMatchDocument,
  MatchEventsDocument,
  MatchStatusDocument,
  NextMatchDocument,
  RequestMatchDocument,
  RespondToMatchDocument,
} from '../operations/matching';
import { browserStorage } from './locale';
import { useNotificationsStore } from './notifications';
import { useRoomsStore } from './rooms';

export interface Position {
  latitude: number;
  longitude: number;
}

export const MIN_RADIUS_KM = 1;
export const MAX_RADIUS_KM = 100;

export const clampRadius = (km: number) =>
  Math.min(MAX_RADIUS_KM, Math.max(MIN_RADIUS_KM, Math.round(km) || MIN_RADIUS_KM));

/**
 * Matching: the caller's own matchEvents stream (open while logged in, so an offer or MATCHED
 * reaches any screen), the search request and the answer to an offer. Coordinates stay in this
 * store's memory and go only to requestMatch.
 *
 * A search lost on the server (INTERRUPTED: the queue's Redis restarted empty; or a socket that came
 * back from a server restart, which loses the embedded queue) is resumed without the user: the store
 * keeps the current search's last input and, when the server says IDLE while the store is still
 * searching or offered, requests again with it (`resume`).
 */
/** The matching distance last chosen on this device (localStorage). */
export const RADIUS_KEY = 'randchat.radiusKm';
/** Whom the person wants to meet, last chosen on this device (localStorage, JSON). */
export const PREFERENCES_KEY = 'randchat.matchPreferences';

export const useMatchStore = defineStore('match', () => {
  const api = useApi();
  const view = ref<MatchView>(idleView());
  // The distance is remembered on this device; the position only in memory (never stored).
  const storage = browserStorage();
  const storedRadius = Number(storage?.getItem(RADIUS_KEY) ?? NaN);
  const radiusKm = ref(Number.isFinite(storedRadius) ? clampRadius(storedRadius) : 10);
  watch(radiusKm, (km) => storage?.setItem(RADIUS_KEY, String(km)));
  const preferences = ref<MatchPreferences>(parsePreferences(storage?.getItem(PREFERENCES_KEY)));
  watch(preferences, (p) => storage?.setItem(PREFERENCES_KEY, JSON.stringify(p)), { deep: true });
  const position = ref<Position | null>(null);
  const busy = ref(false);
  /** The input of the current search, for `resume`; null once the user cancelled. */
  let lastInput: MatchRequestInput | null = null;
  let stop: (() => void) | null = null;
  let stopReconnected: (() => void) | null = null;
  let resuming: Promise<void> | null = null;
  let resumeAgain = false;

  /** Events that only follow an OFFERED: arriving while searching, they show we missed that offer. */
  const AFTER_AN_OFFER = new Set(['PEER_ACCEPTED', 'DECLINED', 'EXPIRED']);

  function onEvent(event: MatchEventPartsFragment) {
    const missedOffer = AFTER_AN_OFFER.has(event.type) && view.value.phase === 'searching' && !view.value.offer;
    view.value = applyMatchEvent(view.value, event);
    if (event.type === 'OFFERED') useNotificationsStore().notify({ type: 'OFFERED', matchId: event.matchId, text: '' });
    // Lost with the queue, or an event lost on the way (pub/sub is at-most-once): ask the server.
    if (event.type === 'INTERRUPTED' || missedOffer) void resume();
    // The event names the room only (query depth and cost limits); the room list fetches it.
    if (event.type === 'MATCHED' && event.room)
      void useRoomsStore()
        .fetchRoom(event.room.id)
        .catch(() => undefined);
  }

  function applyStatus(status: MatchStatusFieldsFragment) {
    view.value = fromStatus(status, view.value);
    if (status.radiusKm) radiusKm.value = status.radiusKm;
  }

  async function loadStatus(): Promise<void> {
    const { data } = await api.client.query({ query: MatchStatusDocument });
    applyStatus(data.matchStatus);
  }

  /** One look at the server: where it lost the search the store still shows, request it again. */
  async function resumeOnce(): Promise<void> {
    const { data } = await api.client.query({ query: MatchStatusDocument });
    const active = view.value.phase === 'searching' || view.value.phase === 'offered';
    // A search or an answer the user started meanwhile decides by itself.
    if (data.matchStatus.state !== 'IDLE' || !active || !lastInput || busy.value) return applyStatus(data.matchStatus);
    const { data: requested } = await api.client.mutate({
      mutation: RequestMatchDocument,
      variables: { input: lastInput },
    });
    view.value = { ...view.value, notice: null };
    applyStatus(requested!.requestMatch);
  }

  /**
   * Re-checks matchStatus and requests again with the last input if the server lost the search.
   * One at a time: a call while one runs makes it look once more when it is done (what it read may
   * predate the loss), never a second concurrent request. Failures are left to the next trigger.
   */
  function resume(): Promise<void> {
    if (resuming) {
      resumeAgain = true;
      return resuming;
    }
    resuming = (async () => {
      try {
        do {
          resumeAgain = false;
          await resumeOnce().catch(() => undefined);
        } while (resumeAgain);
      } finally {
        resuming = null;
      }
    })();
    return resuming;
  }

  /** Opens matchEvents (idempotent); the server replays the open offer first. */
  function listen(): void {
    if (stop) return;
    stopReconnected ??= api.onReconnected(() => void resume());
    stop = subscribeLive(
      api.client,
      MatchEventsDocument,
      {},
      {
        next: (data) => onEvent(data.matchEvents),
        error: () => (stop = null),
        complete: () => (stop = null),
        reopened: () => void resume(),
      },
    );
  }

  /** The search input from a position and the distance and preferences chosen on this device. */
  function inputAt(at: Position): MatchRequestInput {
    const problem = preferencesProblem(preferences.value);
    if (problem)
      throw apiFailure({
        errors: [{ message: problem, extensions: { code: 'BAD_USER_INPUT', reason: 'PREFERENCES_INVALID' } }],
      });
    const input: MatchRequestInput = {
      latitude: at.latitude,
      longitude: at.longitude,
      radiusKm: clampRadius(radiusKm.value),
    };
    const prefs = toPreferencesInput(preferences.value);
    if (prefs) input.preferences = prefs;
    return input;
  }

  /**
   * Sends one search (requestMatch, or nextMatch leaving `leave.roomId`) with matchEvents open and
   * connected first, then shows the status it answers.
   */
  async function send(at: Position, leave: { roomId: string } | null): Promise<void> {
    position.value = at;
    busy.value = true;
    try {
      const input = inputAt(at);
      listen();
      await api.whenConnected();
      const status = leave
        ? (await api.client.mutate({ mutation: NextMatchDocument, variables: { input, roomId: leave.roomId } })).data!
            .nextMatch
        : (await api.client.mutate({ mutation: RequestMatchDocument, variables: { input } })).data!.requestMatch;
      lastInput = input;
      // The room left is gone for this user (the partner keeps it, closed as NEXT).
      if (leave) useRoomsStore().remove(leave.roomId);
      view.value = { ...view.value, notice: null, phase: view.value.phase === 'matched' ? 'idle' : view.value.phase };
      applyStatus(status);
    } catch (err) {
      throw apiFailure(err);
    } finally {
      busy.value = false;
    }
  }

  /** Starts (or updates) a search; matchEvents is open and connected before requestMatch. */
  const search = (at: Position): Promise<void> => send(at, null);

  /**
   * Next: searches again from `at` and leaves `roomId` in one call (nextMatch). Refused (e.g.
   * RATE_LIMITED), the room stays open and the error is thrown.
   */
  const next = (roomId: string, at: Position): Promise<void> => send(at, { roomId });

  async function cancel(): Promise<void> {
    lastInput = null;
    busy.value = true;
    try {
      const { data } = await api.client.mutate({ mutation: CancelMatchDocument });
      view.value = { ...idleView(), notice: null };
      applyStatus(data!.cancelMatch);
    } catch (err) {
      throw apiFailure(err);
    } finally {
      busy.value = false;
    }
  }

  async function respond(accept: boolean): Promise<void> {
    const matchId = view.value.offer?.matchId;
    if (!matchId) return;
    busy.value = true;
    try {
      const { data } = await api.client.mutate({ mutation: RespondToMatchDocument, variables: { matchId, accept } });
      if (accept) {
        if (view.value.offer?.matchId === matchId) view.value = { ...view.value, accepted: true };
        applyStatus(data!.respondToMatch);
      } else {
        view.value = { ...idleView(), notice: 'DECLINED_BY_ME' };
      }
    } catch (err) {
      const failure = apiFailure(err);
      // NOT_FOUND: the offer closed meanwhile; its event tells what happened, the status where we are.
      if (failure.code === 'NOT_FOUND') await loadStatus().catch(() => undefined);
      else throw failure;
    } finally {
      busy.value = false;
    }
  }

  /** After navigating to the new room, the next search starts from a clean slate. */
  function acknowledgeMatch(): void {
    if (view.value.phase === 'matched') view.value = idleView();
  }

  function dismissNotice(): void {
    view.value = { ...view.value, notice: null };
  }

  function reset(): void {
    stop?.();
    stop = null;
    stopReconnected?.();
    stopReconnected = null;
    lastInput = null;
    view.value = idleView();
    position.value = null;
  }

  return {
    view,
    radiusKm,
    preferences,
    position,
    busy,
    listen,
    loadStatus,
    resume,
    search,
    next,
    cancel,
    respond,
    acknowledgeMatch,
    dismissNotice,
    reset,
  };
});
