import { defineStore } from 'pinia';
import { ref } from 'vue';
import { retryWhileTransient } from '../api/backoff';
import { useApi } from '../api/context';
import { apiFailure } from '../api/errors';
import { createThrottle } from '../chat/throttle';
import { contiguousSeq, hasGapBefore, highestSeq, mergeServerMessages } from '../chat/merge';
import {
  BlockUserDocument,
  LeaveRoomDocument,
  MarkRoomReadDocument,
  MessagesAfterDocument,
  MessagesDocument,
  ReportUserDocument,
  SetTypingDocument,
} from '../operations/chat';
import { useAuthStore } from './auth';
import { createOutbox } from './chat-outbox';
import { threadAccess, type ThreadState } from './chat-thread';
import { useRoomsStore, type RoomEvent } from './rooms';

export type { ThreadState } from './chat-thread';

const PAGE_SIZE = 30;
const CATCH_UP_PAGE = 100;
/** How long a TYPING event shows the indicator, in milliseconds. */
export const TYPING_SHOWN_MS = 4_000;
/** At most one setTyping per room this often, in milliseconds. */
export const TYPING_EVERY_MS = 2_500;

/**
 * Message threads by room: history pages, live messages, optimistic sends and catch-up after a
 * reconnect, all merged by seq (chat/merge.ts). `readingRoomId` is the room on screen, which is
 * marked read as messages arrive.
 */
export const useChatStore = defineStore('chat', () => {
  const api = useApi();
  const threads = ref<Record<string, ThreadState>>({});
  const readingRoomId = ref<string | null>(null);
  const throttles = new Map<string, () => boolean>();
  const catchingUp = new Map<string, Promise<void>>();

  const myId = () => useAuthStore().user?.id ?? '';
  const access = threadAccess(
    () => threads.value,
    (next) => (threads.value = next),
    myId,
  );
  const { thread, setThread, merge } = access;
  const outbox = createOutbox(api, access);

  // What went by while the socket was away, for every thread held and the room list; retried
  // while the API is still coming back (UNAVAILABLE, network errors).
  api.onReconnected(() => {
    for (const roomId of Object.keys(threads.value)) void catchUpAfterOutage(roomId);
    const loggedIn = () => useAuthStore().isLoggedIn;
    void retryWhileTransient(() => useRoomsStore().refresh(), loggedIn).catch(() => undefined);
  });

  /** `catchUp`, tried again while the API is out of reach; stops when the thread is dropped. */
  function catchUpAfterOutage(roomId: string): Promise<void> {
    return retryWhileTransient(
      () => catchUp(roomId),
      () => !!threads.value[roomId],
    ).catch(() => undefined);
  }

  function isReading(roomId: string): boolean {
    return (
      readingRoomId.value === roomId && (typeof document === 'undefined' || document.visibilityState === 'visible')
    );
  }

  /** Opens a room on screen: its latest page the first time, a catch-up after that. */
  async function open(roomId: string): Promise<void> {
    readingRoomId.value = roomId;
    const rooms = useRoomsStore();
    try {
      await rooms.fetchRoom(roomId);
      if (threads.value[roomId]) await catchUp(roomId);
      else await loadLatest(roomId);
    } catch (err) {
      throw apiFailure(err);
    }
    rooms.syncLive();
    void markRead(roomId);
  }

  function close(roomId: string): void {
    if (readingRoomId.value === roomId) readingRoomId.value = null;
    useRoomsStore().syncLive();
  }

  async function loadLatest(roomId: string): Promise<void> {
    const { data } = await api.client.query({ query: MessagesDocument, variables: { roomId, last: PAGE_SIZE } });
    const page = data.messages;
    const t = thread(roomId);
    setThread(roomId, {
      ...t,
      ...mergeServerMessages(
        t,
        page.edges.map((e) => e.node),
        myId(),
      ),
      hasOlder: page.pageInfo.hasPreviousPage,
      startCursor: page.pageInfo.startCursor ?? null,
    });
  }

  /** The page before the oldest one held (scrolling up). */
  async function loadOlder(roomId: string): Promise<void> {
    const t = thread(roomId);
    if (!t.hasOlder || t.loadingOlder) return;
    setThread(roomId, { ...t, loadingOlder: true });
    try {
      const { data } = await api.client.query({
        query: MessagesDocument,
        variables: { roomId, last: PAGE_SIZE, before: t.startCursor },
      });
      const page = data.messages;
      const now = thread(roomId);
      setThread(roomId, {
        ...now,
        ...mergeServerMessages(
          now,
          page.edges.map((e) => e.node),
          myId(),
        ),
        hasOlder: page.pageInfo.hasPreviousPage,
        startCursor: page.pageInfo.startCursor ?? now.startCursor,
        loadingOlder: false,
      });
    } catch (err) {
      setThread(roomId, { ...thread(roomId), loadingOlder: false });
      throw apiFailure(err);
    }
  }

  /** Fetches everything after the highest seq held (after a reconnect or a gap); one run per room at a time. */
  function catchUp(roomId: string): Promise<void> {
    const running = catchingUp.get(roomId);
    if (running) return running.then(() => catchUp(roomId));
    const run = (async () => {
      for (;;) {
        const afterSeq = contiguousSeq(thread(roomId));
        const { data } = await api.client.query({
          query: MessagesAfterDocument,
          variables: { roomId, afterSeq, first: CATCH_UP_PAGE },
        });
        merge(roomId, data.messagesAfter);
        if (data.messagesAfter.length < CATCH_UP_PAGE) break;
      }
      if (isReading(roomId)) await markRead(roomId);
    })().finally(() => catchingUp.delete(roomId));
    catchingUp.set(roomId, run);
    return run;
  }

  function onEvent(event: RoomEvent): void {
    const roomId = event.roomId;
    if (event.type === 'MESSAGE' && event.message) {
      if (!threads.value[roomId]) return; // not loaded: opening the room fetches it
      const gap = hasGapBefore(thread(roomId), event.message.seq);
      merge(roomId, [event.message]);
      if (event.message.sender.id !== myId()) setThread(roomId, { ...thread(roomId), peerTypingUntil: 0 });
      if (gap) void catchUp(roomId).catch(() => undefined);
      else if (isReading(roomId)) void markRead(roomId);
    } else if (event.type === 'TYPING' && event.userId !== myId()) {
      setThread(roomId, { ...thread(roomId), peerTypingUntil: Date.now() + TYPING_SHOWN_MS });
    }
  }

  async function markRead(roomId: string): Promise<void> {
    const room = useRoomsStore().byId[roomId];
    const seq = highestSeq(thread(roomId));
    if (!room || seq === 0 || (seq <= room.lastReadSeq && room.unreadCount === 0)) return;
    try {
      const { data } = await api.client.mutate({ mutation: MarkRoomReadDocument, variables: { roomId, seq } });
      const r = data!.markRoomRead;
      useRoomsStore().patch(roomId, { unreadCount: r.unreadCount, lastReadSeq: r.lastReadSeq });
    } catch {
      // Read marks are best effort; the next message or visit tries again.
    }
  }

  /** Tells the peer we are typing, at most once per TYPING_EVERY_MS per room. */
  function typing(roomId: string): void {
    let allow = throttles.get(roomId);
    if (!allow) throttles.set(roomId, (allow = createThrottle(TYPING_EVERY_MS)));
    if (allow()) void api.client.mutate({ mutation: SetTypingDocument, variables: { roomId } }).catch(() => undefined);
  }

  /**
   * Leaves the room (an open one closes for both; a closed one is deleted): either way it is gone
   * for this user, while the peer keeps reading it until they leave too.
   */
  async function leave(roomId: string): Promise<void> {
    try {
      await api.client.mutate({ mutation: LeaveRoomDocument, variables: { roomId } });
    } catch (err) {
      throw apiFailure(err);
    }
    useRoomsStore().remove(roomId);
  }

  /** Blocks the peer: the blocker leaves every room shared with them, so all of those go. */
  async function block(userId: string): Promise<void> {
    try {
      await api.client.mutate({ mutation: BlockUserDocument, variables: { userId } });
    } catch (err) {
      throw apiFailure(err);
    }
    const rooms = useRoomsStore();
    for (const room of rooms.list) if (room.peer.id === userId) rooms.remove(room.id);
  }

  /** Reports the room's peer; the room's conversation is the evidence moderators read. */
  async function report(roomId: string, userId: string, reason: string): Promise<void> {
    try {
      await api.client.mutate({ mutation: ReportUserDocument, variables: { userId, reason, roomId } });
    } catch (err) {
      throw apiFailure(err);
    }
  }

  /** Drops a room's thread (the room is gone for this user). */
  function forget(roomId: string): void {
    if (readingRoomId.value === roomId) readingRoomId.value = null;
    if (!threads.value[roomId]) return;
    const { [roomId]: _gone, ...rest } = threads.value;
    threads.value = rest;
  }

  function reset(): void {
    threads.value = {};
    readingRoomId.value = null;
    outbox.clear();
  }

  return {
    threads,
    readingRoomId,
    thread,
    isReading,
    open,
    close,
    loadOlder,
    catchUp,
    catchUpAfterOutage,
    onEvent,
    markRead,
    send: outbox.send,
    retry: outbox.retry,
    discard: outbox.discard,
    typing,
    leave,
    block,
    report,
    forget,
    reset,
  };
});
