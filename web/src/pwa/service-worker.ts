import type { OpenMessage } from '../../sw/notice';

/**
 * Registers the service worker (web/sw/sw.ts, built as /sw.js) once the page has loaded, in
 * production builds only: Vite's dev server has no precache list to serve. Resolves with the
 * registration, or null where there is none (no support, dev server, registration refused).
 */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return Promise.resolve(null);
  const loaded =
    document.readyState === 'complete'
      ? Promise.resolve()
      : new Promise<void>((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
  return loaded.then(() => navigator.serviceWorker.register('/sw.js', { scope: '/' })).catch(() => null);
}

/** Calls `open` with the path a tapped notification is about (the worker's OpenMessage). */
export function onNotificationOpen(open: (path: string) => void): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<Partial<OpenMessage> | null>) => {
    const path = event.data?.type === 'open' ? event.data.path : undefined;
    // Same-origin paths only: the worker sends paths of this app.
    if (typeof path === 'string' && path.startsWith('/') && !path.startsWith('//')) open(path);
  });
}
