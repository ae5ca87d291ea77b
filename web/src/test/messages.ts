import type { ServerMessage } from '../chat/merge';

/** A stored message of room r1 as the server sends it: seq `seq`, a createdAt one second per seq. */
export const serverMessage = (seq: number, sender = 'peer', clientMessageId = `c${seq}`): ServerMessage => ({
  id: `m${seq}`,
  roomId: 'r1',
  seq,
  body: `message ${seq}`,
  clientMessageId,
  createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
  sender: { id: sender },
  image: null,
});
