import type { ApiContext } from '../api/context';
import { toApiError } from '../api/errors';
import { newClientMessageId } from '../api/uuid';
import { addPending, removePending, updatePending, type PendingMessage } from '../chat/merge';
import { SendMessageDocument } from '../operations/chat';
import type { ThreadAccess } from './chat-thread';
import { useRoomsStore } from './rooms';

/**
 * The sending side of the chat store: a message shows at once as pending, is uploaded (its image)
 * and sent, and is replaced by its stored copy when the server acknowledges it. A failed send stays
 * on screen with its error code until it is retried (same clientMessageId: stored at most once) or
 * discarded. The files of unsent messages are kept here for the retry.
 */
export function createOutbox(api: ApiContext, { thread, setThread, merge }: ThreadAccess) {
  const files = new Map<string, Blob>();

  async function deliver(roomId: string, pending: PendingMessage, file: Blob | null): Promise<void> {
    const id = pending.clientMessageId;
    try {
      let imageId = pending.imageId;
      if (file && !imageId) {
        imageId = (await api.uploadImage(file)).id;
        setThread(roomId, { ...thread(roomId), ...updatePending(thread(roomId), id, { imageId }) });
      }
      const input = {
        roomId,
        clientMessageId: id,
        ...(pending.body ? { body: pending.body } : {}),
        ...(imageId ? { imageId } : {}),
      };
      const { data } = await api.client.mutate({ mutation: SendMessageDocument, variables: { input } });
      merge(roomId, [data!.sendMessage]);
      const rooms = useRoomsStore();
      const room = rooms.byId[roomId];
      const m = data!.sendMessage;
      if (room && (!room.lastMessage || m.seq > room.lastMessage.seq)) {
        rooms.patch(roomId, {
          lastMessage: m,
          lastActivityAt: m.createdAt,
          lastReadSeq: Math.max(room.lastReadSeq, m.seq),
          unreadCount: 0,
        });
      }
      if (pending.previewUrl) URL.revokeObjectURL(pending.previewUrl);
    } catch (err) {
      const { code } = toApiError(err);
      setThread(roomId, { ...thread(roomId), ...updatePending(thread(roomId), id, { state: 'failed', error: code }) });
      if (code === 'CONFLICT')
        void useRoomsStore()
          .fetchRoom(roomId)
          .catch(() => undefined);
    }
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
    await deliver(roomId, pending, file);
  }

  /** Sends a failed message again with the same clientMessageId: the server stores it at most once. */
  async function retry(roomId: string, clientMessageId: string): Promise<void> {
    const p = thread(roomId).pending.find((x) => x.clientMessageId === clientMessageId);
    if (!p || p.state === 'sending') return;
    setThread(roomId, {
      ...thread(roomId),
      ...updatePending(thread(roomId), clientMessageId, { state: 'sending', error: null }),
    });
    await deliver(roomId, { ...p, state: 'sending' }, files.get(clientMessageId) ?? null);
  }

  function discard(roomId: string, clientMessageId: string): void {
    const p = thread(roomId).pending.find((x) => x.clientMessageId === clientMessageId);
    if (p?.previewUrl) URL.revokeObjectURL(p.previewUrl);
    files.delete(clientMessageId);
    setThread(roomId, { ...thread(roomId), ...removePending(thread(roomId), clientMessageId) });
  }

  return { send, retry, discard, clear: () => files.clear() };
}
