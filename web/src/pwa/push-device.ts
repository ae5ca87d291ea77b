import { noticeFor, type NoticeLocale, type PushPayload } from '../../sw/notice';

/** How long the browser may take to subscribe at its push service (milliseconds). */
const SUBSCRIBE_TIMEOUT_MS = 15_000;

/**
 * This browser's notification abilities, as the notifications store uses them: permission, the
 * service worker's registration (for notifications and Web Push). Every function is safe where the
 * browser lacks them (it reports 'unsupported' or does nothing).
 */
export const pushDevice = {
  /** Notifications through the service worker (and so Web Push) are possible here. */
  supported(): boolean {
    return typeof window !== 'undefined' && 'Notification' in window && 'serviceWorker' in navigator;
  },

  permission(): NotificationPermission {
    return this.supported() ? Notification.permission : 'denied';
  },

  /** Asks for permission; browsers allow this only from a user gesture (a click). */
  async requestPermission(): Promise<NotificationPermission> {
    return this.supported() ? Notification.requestPermission() : 'denied';
  },

  /** The current Web Push subscription of this browser, if any. */
  async subscription(): Promise<PushSubscription | null> {
    if (!this.supported()) return null;
    const registration = await navigator.serviceWorker.getRegistration();
    return (await registration?.pushManager?.getSubscription()) ?? null;
  },

  /** Subscribes at the browser's push service with the API's VAPID public key. */
  async subscribe(applicationServerKey: string): Promise<PushSubscription> {
    const registration = await navigator.serviceWorker.ready;
    if (!registration.pushManager) throw new Error('This browser has no Web Push');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('The push service did not answer')), SUBSCRIBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  },

  /** Whether the page is in the background (another tab, the app switched away, the screen off). */
  hidden(): boolean {
    return typeof document !== 'undefined' && document.visibilityState === 'hidden';
  },

  /** Shows the event's notification through the service worker (one per offer or room: its tag). */
  async show(payload: PushPayload, locale: NoticeLocale): Promise<void> {
    // Registered (not the dev server): wait for its active worker, which shows notifications.
    if (!(await navigator.serviceWorker.getRegistration())) return;
    const registration = await navigator.serviceWorker.ready;
    const { title, options } = noticeFor(payload, locale);
    await registration.showNotification(title, options);
  },
};

/** A short name for this device, from the browser's platform ("Android", "iPhone", "Windows"...). */
export function deviceLabel(userAgent: string): string {
  const known: [RegExp, string][] = [
    [/iPhone/, 'iPhone'],
    [/iPad/, 'iPad'],
    [/Android/, 'Android'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'Mac'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ];
  const platform = known.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'Device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  return `${platform} · ${browser}`;
}
