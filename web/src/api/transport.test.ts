import { describe, expect, it } from '@jest/globals';
import { runsOverSocket } from './transport';

const op = (operation: string) => ({ kind: 'OperationDefinition', operation });

describe('which transport an operation takes', () => {
  it('sends every subscription over the WebSocket, connected or not (it connects)', () => {
    expect(runsOverSocket(op('subscription'), 'RoomEvents', false)).toBe(true);
    expect(runsOverSocket(op('subscription'), 'RoomEvents', true)).toBe(true);
  });

  it('sends chat messages and the catch-up over the WebSocket while it is connected, over HTTP otherwise', () => {
    expect(runsOverSocket(op('mutation'), 'SendMessage', true)).toBe(true);
    expect(runsOverSocket(op('mutation'), 'SendMessage', false)).toBe(false);
    expect(runsOverSocket(op('query'), 'MessagesAfter', true)).toBe(true);
    expect(runsOverSocket(op('query'), 'MessagesAfter', false)).toBe(false);
  });

  it('keeps every other query and mutation on HTTP (the refresh cookie, uploads, retries)', () => {
    for (const name of ['LogIn', 'RefreshSession', 'RequestMatch', 'MarkRead']) {
      expect(runsOverSocket(op('mutation'), name, true)).toBe(false);
    }
    expect(runsOverSocket(op('query'), 'Rooms', true)).toBe(false);
    expect(runsOverSocket({ kind: 'FragmentDefinition' }, 'X', true)).toBe(false);
  });
});
