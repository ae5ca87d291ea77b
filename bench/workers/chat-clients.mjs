// The two ways a chat-latency message travels (see chat-latency.mjs): through the API (sendMessage
// over keep-alive HTTP, roomEvents over graphql-ws, the protocol by hand: the client library adds
// nothing here) and the floor's raw INSERT + PUBLISH.
import http from 'node:http';
import WebSocket from 'ws';

const MESSAGE_FIELDS = 'id roomId seq sender { id nickname } body clientMessageId createdAt';
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq message { ${MESSAGE_FIELDS} } } }`;

/**
 * A latency room: its first member sends, its second subscribes.
 * @typedef {object} ChatRoom
 * @property {string} roomId
 * @property {string} senderId
 * @property {string} senderToken
 * @property {string} subscriberToken
 * @property {number} [errors] error frames seen on its subscription
 */

/** Called for every message event received: (roomId, seq, clientMessageId). */
/** @typedef {(roomId: string, seq: number, clientMessageId: string) => void} OnMessage */

/**
 * POSTs JSON on a keep-alive agent. `abandonAll` destroys the requests not answered yet (when a
 * phase overruns its drain time); they reject with an error whose message starts with 'abandoned'.
 * @param {http.Agent} agent
 */
export function createPoster(agent) {
  /** HTTP requests not answered yet. */
  /** @type {Set<http.ClientRequest>} */
  const openRequests = new Set();
  /**
   * @param {string} url
   * @param {string} token
   * @param {unknown} body
   * @returns {Promise<unknown>} the parsed JSON answer
   */
  const post = (url, token, body) =>
    new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body));
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': data.length,
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          /** @type {Buffer[]} */
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString()));
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
        },
      );
      openRequests.add(req);
      req.on('close', () => openRequests.delete(req));
      req.on('error', reject);
      req.end(data);
    });
  const abandonAll = () => {
    for (const req of openRequests) req.destroy(new Error('abandoned: the phase ended'));
  };
  return { post, abandonAll };
}

/**
 * One subscriber socket for `room`; resolves once the server acknowledged the connection (the
 * subscription itself is not acknowledged by the protocol).
 * @param {string} wsUrl
 * @param {ChatRoom} room
 * @param {OnMessage} onMessage
 * @returns {Promise<WebSocket>}
 */
export function subscribeRoom(wsUrl, room, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${room.subscriberToken}` } }),
      ),
    );
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: ROOM_EVENTS, variables: { roomId: room.roomId } },
          }),
        );
        resolve(ws);
      } else if (msg.type === 'next') {
        const event = msg.payload?.data?.roomEvents;
        if (event?.type === 'MESSAGE') onMessage(event.roomId, event.message.seq, event.message.clientMessageId);
        else if (msg.payload?.errors) room.errors = (room.errors ?? 0) + 1;
      } else if (msg.type === 'error' || msg.type === 'complete') {
        room.errors = (room.errors ?? 0) + 1;
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`socket closed ${code}`)));
  });
}

/**
 * `sendMessage` over HTTP; resolves with the stored message's seq.
 * @param {ReturnType<typeof createPoster>['post']} post
 * @param {string} graphqlUrl
 * @param {ChatRoom} room
 * @param {string} clientMessageId
 * @param {string} body
 */
export async function sendViaApi(post, graphqlUrl, room, clientMessageId, body) {
  const request = { query: SEND, variables: { input: { roomId: room.roomId, body, clientMessageId } } };
  /** @typedef {{ data?: { sendMessage?: { seq?: unknown } }, errors?: unknown } | null} SendAnswer */
  /** @type {SendAnswer} the GraphQL answer (JSON), checked below */
  let res;
  try {
    res = /** @type {SendAnswer} */ (await post(graphqlUrl, room.senderToken, request));
  } catch (err) {
    // A keep-alive socket the server closed just as it was reused: retry once, as a client does
    // (same clientMessageId, so the retry can never store the message twice).
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    if (code !== 'ECONNRESET' || (err instanceof Error && err.message.startsWith('abandoned'))) throw err;
    res = /** @type {SendAnswer} */ (await post(graphqlUrl, room.senderToken, request));
  }
  const seq = res?.data?.sendMessage?.seq;
  if (typeof seq !== 'number') throw new Error(JSON.stringify(res?.errors ?? res).slice(0, 300));
  return seq;
}

/**
 * The floor: one INSERT (autocommit) into the messages table and one PUBLISH of the event the API
 * would publish on the room's channel. Seqs count up from `firstSeq` (above the rooms' seeded ones
 * and every seq an earlier floor sender used).
 * @param {import('mysql2/promise').Pool} db
 * @param {import('ioredis').Redis} publisher
 * @param {string} channelPrefix
 * @param {number} [firstSeq]
 */
export function createFloorSender(db, publisher, channelPrefix, firstSeq = 1_000_000) {
  let nextSeq = firstSeq;
  /**
   * @param {ChatRoom} room
   * @param {string} clientMessageId
   * @param {string} body
   * @returns {Promise<number>} the message's seq
   */
  return async (room, clientMessageId, body) => {
    const seq = nextSeq++;
    const id = crypto.randomUUID();
    const createdAt = new Date();
    await db.query(
      'INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, room.roomId, seq, room.senderId, clientMessageId, body, createdAt],
    );
    const payload = {
      type: 'MESSAGE',
      roomId: room.roomId,
      message: {
        id,
        roomId: room.roomId,
        seq,
        senderId: room.senderId,
        body,
        clientMessageId,
        createdAt: createdAt.toISOString(),
        imageId: null,
      },
    };
    await publisher.publish(channelPrefix + room.roomId, JSON.stringify(payload));
    return seq;
  };
}
