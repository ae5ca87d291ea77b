import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FakeServer, freshPinia } from '../test/fakeApi';
import { HTTP_DOWN_MS, useConnectionStore } from './connection';

beforeEach(() => {
  freshPinia(new FakeServer());
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the connection state', () => {
  it('is reconnecting from a dropped WebSocket until it is connected again', () => {
    const connection = useConnectionStore();
    expect(connection.reconnecting).toBe(false);
    connection.socketClosed(1006);
    expect(connection.reconnecting).toBe(true);
    connection.socketClosed(4500); // an attempt refused while the server starts: still away
    expect(connection.reconnecting).toBe(true);
    connection.socketConnected();
    expect(connection.reconnecting).toBe(false);
  });

  it('does not count a normal closure (logged out, nothing followed live) as an outage', () => {
    const connection = useConnectionStore();
    connection.socketClosed(1000);
    expect(connection.reconnecting).toBe(false);
  });

  it('does not count the server ending the session (4401) or refusing the token (4403) as an outage', () => {
    const connection = useConnectionStore();
    connection.socketClosed(4401);
    expect(connection.reconnecting).toBe(false);
    connection.socketClosed(4403);
    expect(connection.reconnecting).toBe(false);
  });

  it('is reconnecting after an HTTP network error or UNAVAILABLE until an answer comes', () => {
    const connection = useConnectionStore();
    connection.httpFailed();
    expect(connection.reconnecting).toBe(true);
    connection.httpAnswered();
    expect(connection.reconnecting).toBe(false);
    connection.httpFailed(500);
    connection.socketConnected();
    expect(connection.reconnecting).toBe(false);
  });

  it('forgets an HTTP failure nothing followed up on, no sooner than retryAfterMs', () => {
    jest.useFakeTimers();
    const connection = useConnectionStore();
    connection.httpFailed();
    jest.advanceTimersByTime(HTTP_DOWN_MS - 1);
    expect(connection.reconnecting).toBe(true);
    jest.advanceTimersByTime(1);
    expect(connection.reconnecting).toBe(false);
    connection.httpFailed(HTTP_DOWN_MS * 2);
    jest.advanceTimersByTime(HTTP_DOWN_MS);
    expect(connection.reconnecting).toBe(true);
    jest.advanceTimersByTime(HTTP_DOWN_MS);
    expect(connection.reconnecting).toBe(false);
  });
});
