import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PushPayload } from '../../sw/notice';
import { useApi } from '../api/context';
import {
  PushDeviceDocument,
  PushPublicKeyDocument,
  RegisterPushSubscriptionDocument,
  UnregisterPushSubscriptionDocument,
} from '../operations/push';
import { deviceLabel, pushDevice } from '../pwa/push-device';
import { browserStorage, useLocaleStore } from './locale';

/**
 * This browser's choice (localStorage): notifications on, previews allowed. Where Web Push works the
 * API's record of the device (pushDevice) is read too; without it (a browser whose push service
 * failed) this is what keeps the switch on across reloads.
 */
export const NOTIFICATIONS_KEY = 'randchat.notifications';

interface StoredChoice {
  on: boolean;
  previews: boolean;
}

function readChoice(storage: Pick<Storage, 'getItem'> | null): StoredChoice {
  try {
    const parsed = JSON.parse(storage?.getItem(NOTIFICATIONS_KEY) ?? 'null') as Partial<StoredChoice> | null;
    return { on: parsed?.on === true, previews: parsed?.previews === true };
  } catch {
    return { on: false, previews: false };
  }
}

/** Why the last attempt to turn notifications on did not fully work. */
export type NotificationProblem = 'denied' | 'pushFailed' | null;

/**
 * "Notifications on this device": system notifications for offers and messages while the page is
 * in the background (shown here, through the service worker), and Web Push while no page is open
 * (this browser subscribed and registered with the API). Permission is asked only from `enable()`,
 * which a click calls; never on load. A browser whose push service fails still gets the former.
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const api = useApi();
  const storage = browserStorage();
  const supported = ref(pushDevice.supported());
  const enabled = ref(false);
  /** This browser also gets Web Push (subscribed and registered for the signed-in user). */
  const pushing = ref(false);
  const previews = ref(false);
  const busy = ref(false);
  const problem = ref<NotificationProblem>(null);

  const remember = () =>
    storage?.setItem(NOTIFICATIONS_KEY, JSON.stringify({ on: enabled.value, previews: previews.value }));

  /**
   * Reads this device's state after login: the choice kept here (while the permission stands) and
   * the push subscription, if the API knows it for this user.
   */
  async function load(): Promise<void> {
    supported.value = pushDevice.supported();
    if (pushDevice.permission() !== 'granted') return;
    const choice = readChoice(storage);
    enabled.value = choice.on;
    previews.value = choice.previews;
    const subscription = await pushDevice.subscription();
    if (!subscription) return;
    const { data } = await api.client.query({
      query: PushDeviceDocument,
      variables: { endpoint: subscription.endpoint },
    });
    if (data.pushDevice) {
      enabled.value = true;
      pushing.value = true;
      previews.value = data.pushDevice.previews;
    } else if (choice.on) {
      // On here, but the API has no such device for this account (another account signed in on
      // this browser last, or the push service dropped it): register it for this one.
      await register(subscription);
      pushing.value = true;
    }
  }

  async function register(subscription: PushSubscription): Promise<void> {
    const { keys } = subscription.toJSON();
    await api.client.mutate({
      mutation: RegisterPushSubscriptionDocument,
      variables: {
        input: {
          endpoint: subscription.endpoint,
          keys: { p256dh: keys?.p256dh ?? '', auth: keys?.auth ?? '' },
          deviceLabel: deviceLabel(typeof navigator === 'undefined' ? '' : navigator.userAgent),
          previews: previews.value,
        },
      },
    });
  }

  /** Turns notifications on (from a click: it may ask for permission), with Web Push where possible. */
  async function enable(): Promise<void> {
    busy.value = true;
    problem.value = null;
    try {
      if ((await pushDevice.requestPermission()) !== 'granted') {
        problem.value = 'denied';
        return;
      }
      enabled.value = true;
      remember();
      try {
        const { data } = await api.client.query({ query: PushPublicKeyDocument });
        if (!data.pushPublicKey) throw new Error('The API sends no Web Push');
        await register(await pushDevice.subscribe(data.pushPublicKey));
        pushing.value = true;
      } catch {
        // Notifications still show while a page is open in the background.
        pushing.value = false;
        problem.value = 'pushFailed';
      }
    } finally {
      busy.value = false;
    }
  }

  /** Turns notifications off here: no more pushes to this browser (also at logout). */
  async function disable(): Promise<void> {
    busy.value = true;
    enabled.value = false;
    problem.value = null;
    remember();
    try {
      const subscription = await pushDevice.subscription();
      if (!subscription) return;
      const { endpoint } = subscription;
      await subscription.unsubscribe().catch(() => false);
      if (pushing.value)
        await api.client
          .mutate({ mutation: UnregisterPushSubscriptionDocument, variables: { endpoint } })
          .catch(() => undefined);
    } finally {
      pushing.value = false;
      busy.value = false;
    }
  }

  /** Allows (or not) the start of messages in notifications on this device. */
  async function setPreviews(allowed: boolean): Promise<void> {
    previews.value = allowed;
    remember();
    const subscription = pushing.value ? await pushDevice.subscription() : null;
    if (subscription) await register(subscription).catch(() => undefined);
  }

  /**
   * An offer or a message arrived over the live streams: a system notification when the page is
   * in the background and notifications are on (the message's text only with previews on).
   */
  function notify(payload: PushPayload): void {
    if (!enabled.value || !pushDevice.hidden() || pushDevice.permission() !== 'granted') return;
    const shown = previews.value ? payload : { ...payload, preview: undefined };
    void pushDevice.show(shown, useLocaleStore().locale).catch(() => undefined);
  }

  /** Forgets the state (logout); the browser's subscription is handled by `disable()`. */
  function reset(): void {
    enabled.value = false;
    pushing.value = false;
    previews.value = false;
    problem.value = null;
  }

  return { supported, enabled, pushing, previews, busy, problem, load, enable, disable, setPreviews, notify, reset };
});
