import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeServer, freshPinia } from '../test/fakeApi';
import { useWarningStore } from './warning';

let server: FakeServer;
beforeEach(() => {
  server = new FakeServer();
  freshPinia(server);
});

describe('a moderator warning', () => {
  it('is read from me.warning and gone once dismissed', async () => {
    server.handlers.MyWarning = () => ({
      me: { __typename: 'User', id: 'me', warning: { note: 'Be kind', issuedAt: '2026-12-04T10:00:00.000Z' } },
    });
    server.handlers.DismissWarning = () => ({ dismissWarning: true });
    const store = useWarningStore();
    await store.load();
    expect(store.warning?.note).toBe('Be kind');
    await store.dismiss();
    expect(store.warning).toBeNull();
    expect(server.count('DismissWarning')).toBe(1);
  });
});
