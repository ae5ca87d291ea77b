import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** How long an HTTP failure alone keeps the app "reconnecting" when nothing reports since (ms). */
export const HTTP_DOWN_MS = 5_000;

/**
 * Whether the app can reach the API, as the transports report it (apollo.ts): the WebSocket
 * dropped and not yet back, or the last HTTP request failed for a reason that is not about the
 * request (network error, UNAVAILABLE). `reconnecting` drives the indicator in App.vue; sends and
 * catch-up retry on their own, this only tells the user why things wait.
 */
export const useConnectionStore = defineStore('connection', () => {
  /** The browser says there is no network at all (navigator.onLine): the app shows it is offline. */
  const offline = ref(typeof navigator !== 'undefined' && navigator.onLine === false);
  if (typeof window !== 'undefined') {
    window.addEventListener('online', () => (offline.value = false));
    window.addEventListener('offline', () => (offline.value = true));
  }
  const socketDown = ref(false);
  const httpDown = ref(false);
  let httpTimer: ReturnType<typeof setTimeout> | null = null;

  const reconnecting = computed(() => socketDown.value || httpDown.value);

  function setHttpDown(down: boolean, forMs = HTTP_DOWN_MS) {
    if (httpTimer) clearTimeout(httpTimer);
    httpTimer = null;
    httpDown.value = down;
    // Nothing may ask again soon (a one-off query): a failure reported long ago is no news.
    if (down) httpTimer = setTimeout(() => setHttpDown(false), Math.max(HTTP_DOWN_MS, forMs));
  }

  /** The WebSocket (re)connected and was acknowledged: the server is there. */
  function socketConnected(): void {
    socketDown.value = false;
    setHttpDown(false);
  }

  /**
   * The WebSocket closed. A normal closure (1000: logged out, nothing to follow) is no outage, nor
   * is the server ending the session (4401) or refusing the token (4403): the server is there and
   * answered; the session store refreshes or logs out, and the socket reopens with a fresh token.
   */
  function socketClosed(code: number | undefined): void {
    socketDown.value = code !== 1000 && code !== 4401 && code !== 4403;
  }

  /** An HTTP request got an answer from the API (errors about the request itself included). */
  function httpAnswered(): void {
    setHttpDown(false);
  }

  /** An HTTP request failed with NETWORK_ERROR or UNAVAILABLE (`retryAfterMs` when the API said). */
  function httpFailed(retryAfterMs: number | null = null): void {
    setHttpDown(true, retryAfterMs ?? HTTP_DOWN_MS);
  }

  return { offline, socketDown, httpDown, reconnecting, socketConnected, socketClosed, httpAnswered, httpFailed };
});
