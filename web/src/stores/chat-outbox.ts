import type { ApiContext } from '../api/context';
import { backoffMs, MAX_RETRY_WAIT_MS } from '../api/backoff';
import { isTransient, toApiError, type ApiError } from '../api/errors';
import { newClientMessageId } from '../api/uuid';
import { addPending, removePending, updatePending, type PendingMessage } from '../chat/merge';
import type { SendMessageMutation } from '../gql/graphql';
import { SendMessageDocument } from '../operations/chat';
import type { ThreadAccess } from './chat-thread';
import { useRoomsStore } from './rooms';

/**
 * The sending side of the chat store: a message shows at once as pending, is uploaded (its image)
 * and sent, and is replaced by its stored copy when the server acknowledges it. Sends of one room go
 * out one after another, in the order written. While the API is out of reach or UNAVAILABLE a send
 * stays pending and is tried again with the same clientMessageId (stored at most once): after
 * `retryAfterMs` or a backoff, and at once when the WebSocket comes back; each attempt takes
 * whichever transport is up (transport.ts). Only an answer about the message itself
 * (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED...) marks it failed, on screen with
 * its error code until it is retried by hand or discarded. The files of unsent messages are kept
 * here for the retries.
 */
export function createOutbox(api: ApiContext, { thread, setThread, merge }: ThreadAccess) {
  const files = new Map<string, Blob>();
  /** The tail of each room's send queue. */
  const queues = new Map<string, Promise<void>>();
  /** Sends waiting to try again; the WebSocket reconnecting wakes them all. */
  const waiting = new Set<() => void>();
  api.onReconnected(() => [...waiting].forEach((wake) => wake()));

  const pendingOf = (roomId: string, id: string) => thread(roomId).pending.find((p) => p.clientMessageId === id);
  const patchPending = (roomId: string, id: string, patch: Partial<Omit<PendingMessage, 'clientMessageId'>>) =>
    setThread(roomId, { ...thread(roomId), ...updatePending(thread(roomId), id, patch) });

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiting.add(wake);
    });
  }

  function acknowledged(roomId: string, m: SendMessageMutation['sendMessage']): void {
    merge(roomId, [m]);
    const rooms = useRoomsStore();
    const room = rooms.byId[roomId];
    if (room && (!room.lastMessage || m.seq > room.lastMessage.seq)) {
      rooms.patch(roomId, {
        lastMessage: m,
        lastActivityAt: m.createdAt,
        lastReadSeq: Math.max(room.lastReadSeq, m.seq),
        unreadCount: 0,
      });
    }
  }

  /** One attempt: uploads the image if not done yet, then sends. Resolves with the error, or null when acked. */
  async function attempt(roomId: string, id: string): Promise<ApiError | null> {
    try {
      const pending = pendingOf(roomId, id)!;
      let imageId = pending.imageId;
      const file = files.get(id);
      if (file && !imageId) {
        imageId = (await api.uploadImage(file)).id;
        patchPending(roomId, id, { imageId });
      }
      const input = {
        roomId,
        clientMessageId: id,
        ...(pending.body ? { body: pending.body } : {}),
        ...(imageId ? { imageId } : {}),
      };
      const { data } = await api.client.mutate({ mutation: SendMessageDocument, variables: { input } });
      acknowledged(roomId, data!.sendMessage);
      if (pending.previewUrl) URL.revokeObjectURL(pending.previewUrl);
      files.delete(id);
      return null;
    } catch (err) {
      return toApiError(err);
    }
  }

  /** Attempts until acked, refused, or the message is gone (discarded, logged out). */
  async function deliver(roomId: string, id: string): Promise<void> {
    for (let n = 0; pendingOf(roomId, id); n++) {
      const error = await attempt(roomId, id);
      if (!error) return;
      if (!isTransient(error)) {
        patchPending(roomId, id, { state: 'failed', error: error.code });
        if (error.code === 'CONFLICT')
          void useRoomsStore()
            .fetchRoom(roomId)
            .catch(() => undefined);
        return;
      }
      await pause(error.retryAfterMs ?? Math.min(MAX_RETRY_WAIT_MS, backoffMs(n)));
    }
  }

  /** Queues the message behind the room's earlier sends. */
  function enqueue(roomId: string, id: string): Promise<void> {
    const run = (queues.get(roomId) ?? Promise.resolve()).then(() => deliver(roomId, id));
    queues.set(roomId, run);
    void run.finally(() => {
      if (queues.get(roomId) === run) queues.delete(roomId);
    });
    return run;
  }

  /** Shows the message at once and sends it; a failure leaves it on screen for `retry`. */
  async function send(roomId: string, body: string, file: Blob | null = null): Promise<void> {
    const pending: PendingMessage = {
      clientMessageId: newClientMessageId(),
      body: body.trim(),
      imageId: null,
      previewUrl: file && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null,
      state: 'sending',
      error: null,
      createdAt: new Date().toISOString(),
    };
    if (file) files.set(pending.clientMessageId, file);
    setThread(roomId, { ...thread(roomId), ...addPending(thread(roomId), pending) });
    await enqueue(roomId, pending.clientMessageId);
  }

  /** Sends a failed message again with the same clientMessageId: the server stores it at most once. */
  async function retry(roomId: string, clientMessageId: string): Promise<void> {
    const p = pendingOf(roomId, clientMessageId);
    if (!p || p.state === 'sending') return;
    patchPending(roomId, clientMessageId, { state: 'sending', error: null });
    await enqueue(roomId, clientMessageId);
  }

  function discard(roomId: string, clientMessageId: string): void {
    const p = thread(roomId).pending.find((x) => x.clientMessageId === clientMessageId);
    if (p?.previewUrl) URL.revokeObjectURL(p.previewUrl);
    files.delete(clientMessageId);
    setThread(roomId, { ...thread(roomId), ...removePending(thread(roomId), clientMessageId) });
  }

  return {
    send,
    retry,
    discard,
    clear: () => {
      files.clear();
      [...waiting].forEach((wake) => wake());
    },
  };
}
