import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FakeServer, freshPinia } from '../test/fakeApi';
import { pushDevice } from '../pwa/push-device';
import { NOTIFICATIONS_KEY, useNotificationsStore } from './notifications';

const KEY = 'BK5wnj19125KDG0D9mGkJOXMiu_NkQ1lffMkKdQj-J7egBusfPKz2mKsQr481Yy8QeWIVdcR0NzJfsPVUmB2N64';
const ENDPOINT = 'https://push.example/device-1';

/** A browser PushSubscription as the store uses it. */
const subscription = () => {
  const sub = {
    endpoint: ENDPOINT,
    toJSON: () => ({ endpoint: ENDPOINT, keys: { p256dh: 'p256dh-key', auth: 'auth-key' } }),
    unsubscribe: jest.fn(async () => true),
  };
  return sub as unknown as PushSubscription & { unsubscribe: jest.Mock };
};

let server: FakeServer;
let stored: Map<string, string>;
let permission: NotificationPermission;
let shown: unknown[];

beforeEach(() => {
  server = new FakeServer();
  stored = new Map();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
  };
  permission = 'default';
  shown = [];
  // The browser's side (pwa/push-device.ts), as a phone with Web Push would answer.
  jest.spyOn(pushDevice, 'supported').mockReturnValue(true);
  jest.spyOn(pushDevice, 'permission').mockImplementation(() => permission);
  jest.spyOn(pushDevice, 'requestPermission').mockImplementation(async () => (permission = 'granted'));
  jest.spyOn(pushDevice, 'subscription').mockResolvedValue(null);
  jest.spyOn(pushDevice, 'subscribe').mockImplementation(async () => subscription());
  jest.spyOn(pushDevice, 'hidden').mockReturnValue(true);
  jest.spyOn(pushDevice, 'show').mockImplementation(async (payload) => void shown.push(payload));
  server.handlers.PushPublicKey = () => ({ pushPublicKey: KEY });
  server.handlers.RegisterPushSubscription = () => ({ registerPushSubscription: true });
  server.handlers.UnregisterPushSubscription = () => ({ unregisterPushSubscription: true });
  server.handlers.PushDevice = () => ({ pushDevice: null });
  freshPinia(server);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

const calls = (operation: string) => server.calls.filter((c) => c.operation === operation).map((c) => c.variables);

describe('turning notifications on and off', () => {
  it('asks for permission, subscribes with the API key and registers the device without previews', async () => {
    const store = useNotificationsStore();
    await store.enable();
    expect(pushDevice.subscribe).toHaveBeenCalledWith(KEY);
    expect(calls('RegisterPushSubscription')).toEqual([
      {
        input: {
          endpoint: ENDPOINT,
          keys: { p256dh: 'p256dh-key', auth: 'auth-key' },
          deviceLabel: 'Device · Browser',
          previews: false,
        },
      },
    ]);
    expect({ enabled: store.enabled, pushing: store.pushing, problem: store.problem }).toEqual({
      enabled: true,
      pushing: true,
      problem: null,
    });
    expect(JSON.parse(stored.get(NOTIFICATIONS_KEY)!)).toEqual({ on: true, previews: false });
  });

  it('stays off and says so when the permission is refused, without calling the API', async () => {
    jest.spyOn(pushDevice, 'requestPermission').mockImplementation(async () => (permission = 'denied'));
    const store = useNotificationsStore();
    await store.enable();
    expect({ enabled: store.enabled, problem: store.problem }).toEqual({ enabled: false, problem: 'denied' });
    expect(server.calls).toEqual([]);
  });

  it('keeps notifications for the page when the browser cannot subscribe to push', async () => {
    jest.spyOn(pushDevice, 'subscribe').mockRejectedValue(new Error('AbortError'));
    const store = useNotificationsStore();
    await store.enable();
    expect({ enabled: store.enabled, pushing: store.pushing, problem: store.problem }).toEqual({
      enabled: true,
      pushing: false,
      problem: 'pushFailed',
    });
    expect(calls('RegisterPushSubscription')).toEqual([]);
  });

  it('unsubscribes and unregisters the device when turned off (as at logout)', async () => {
    const store = useNotificationsStore();
    await store.enable();
    const current = subscription();
    jest.spyOn(pushDevice, 'subscription').mockResolvedValue(current);
    await store.disable();
    expect(current.unsubscribe).toHaveBeenCalled();
    expect(calls('UnregisterPushSubscription')).toEqual([{ endpoint: ENDPOINT }]);
    expect({ enabled: store.enabled, pushing: store.pushing }).toEqual({ enabled: false, pushing: false });
    expect(JSON.parse(stored.get(NOTIFICATIONS_KEY)!)).toEqual({ on: false, previews: false });
  });

  it('registers the device again with previews when they are allowed', async () => {
    const store = useNotificationsStore();
    await store.enable();
    jest.spyOn(pushDevice, 'subscription').mockResolvedValue(subscription());
    await store.setPreviews(true);
    expect(calls('RegisterPushSubscription').map((v) => (v.input as { previews: boolean }).previews)).toEqual([
      false,
      true,
    ]);
  });
});

describe('after login', () => {
  it("reads the device's settings from the API, and registers a device that is on here but unknown to it", async () => {
    permission = 'granted';
    stored.set(NOTIFICATIONS_KEY, JSON.stringify({ on: true, previews: false }));
    jest.spyOn(pushDevice, 'subscription').mockResolvedValue(subscription());
    server.handlers.PushDevice = () => ({ pushDevice: { deviceLabel: 'Phone', previews: true } });
    const known = useNotificationsStore();
    await known.load();
    expect({ enabled: known.enabled, pushing: known.pushing, previews: known.previews }).toEqual({
      enabled: true,
      pushing: true,
      previews: true,
    });
    expect(calls('RegisterPushSubscription')).toEqual([]);

    freshPinia(server);
    server.handlers.PushDevice = () => ({ pushDevice: null });
    const unknown = useNotificationsStore();
    await unknown.load();
    expect(calls('RegisterPushSubscription')).toHaveLength(1);
    expect(unknown.pushing).toBe(true);
  });

  it('stays off without the permission, whatever was stored', async () => {
    permission = 'denied';
    stored.set(NOTIFICATIONS_KEY, JSON.stringify({ on: true, previews: true }));
    const store = useNotificationsStore();
    await store.load();
    expect(store.enabled).toBe(false);
    expect(server.calls).toEqual([]);
  });
});

describe('notify', () => {
  it('shows events only while on and the page is hidden, with the text only when previews are allowed', async () => {
    const store = useNotificationsStore();
    const message = { type: 'MESSAGE' as const, roomId: 'r1', text: '', preview: 'hello' };
    store.notify(message);
    expect(shown).toEqual([]);
    await store.enable();
    jest.spyOn(pushDevice, 'hidden').mockReturnValue(false);
    store.notify(message);
    expect(shown).toEqual([]);
    jest.spyOn(pushDevice, 'hidden').mockReturnValue(true);
    store.notify(message);
    await store.setPreviews(true);
    store.notify(message);
    expect(shown).toEqual([{ ...message, preview: undefined }, message]);
  });
});
