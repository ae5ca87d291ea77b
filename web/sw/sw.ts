/**
 * The web app's service worker: the app shell precached (the list is injected at build time by
 * vite-plugin-pwa), so that the app opens offline and says so; GraphQL, the playground, uploads
 * and media always go to the network. It also shows Web Push notifications and opens the app on
 * the screen a notification is about.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { isPushPayload, noticeFor, noticeLocale, type OpenMessage } from './notice';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

/** Paths that are never the app shell: the API and the pages it serves itself. */
const NETWORK_ONLY = [
  /^\/graphql/,
  /^\/playground/,
  /^\/uploads/,
  /^\/media\//,
  /^\/dev\//,
  /^\/(healthz|readyz|metrics)$/,
];

// Client-side routes get the precached index.html; everything not precached goes to the network.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: NETWORK_ONLY }));

// A new version takes over at once: the shell is self-contained, and the API keeps its contract.
self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload: unknown = null;
  try {
    payload = event.data?.json();
  } catch {
    // Not JSON: not from the API.
  }
  if (!isPushPayload(payload)) return;
  const { title, options } = noticeFor(payload, noticeLocale(self.navigator.language));
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const url = new URL(typeof data?.url === 'string' ? data.url : '/', self.location.origin).href;
  event.waitUntil(openOrFocus(url));
});

/**
 * Focuses a window of the app and has it show `url` (the page routes in place, keeping its
 * session and sockets: main.ts listens), or opens a new window there.
 */
async function openOrFocus(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const existing = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (!existing) {
    await self.clients.openWindow(url);
    return;
  }
  // The page routes first: focusing may be refused (no user activation) and must not stop that.
  existing.postMessage({ type: 'open', path: new URL(url).pathname } satisfies OpenMessage);
  await existing.focus();
}
