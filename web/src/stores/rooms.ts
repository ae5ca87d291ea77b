import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/context';
import { apiFailure } from '../api/errors';
import { subscribeLive } from '../api/live';
import type { RoomEventsSubscription, RoomPartsFragment } from '../gql/graphql';
import { RoomEventsDocument, RoomDocument, RoomsDocument } from '../operations/chat';
import { useAuthStore } from './auth';
import { previewOf } from '../../sw/notice';
import { useChatStore } from './chat';
import { useNotificationsStore } from './notifications';

export type RoomEvent = RoomEventsSubscription['roomEvents'];

const PAGE_SIZE = 20;
/**
 * Open rooms followed live at once. The API allows 10 subscriptions per socket; matchEvents takes
 * one and the room being read one more. Rooms beyond this are refreshed by `refresh()`.
 */
export const MAX_LIVE_ROOMS = 7;

const byActivity = (a: RoomPartsFragment, b: RoomPartsFragment) => b.lastActivityAt.localeCompare(a.lastActivityAt);

/**
 * The room list (newest activity first, Relay pages) and the live roomEvents streams of the most
 * recently active open rooms; every event updates the list and is handed to the chat store. A room
 * the user left (here, on another device, or with Next or a block) is gone for them: the API
 * refuses it with FORBIDDEN and no longer lists it, and it is dropped from the list (`remove`).
 */
export const useRoomsStore = defineStore('rooms', () => {
  const api = useApi();
  const byId = ref<Record<string, RoomPartsFragment>>({});
  const endCursor = ref<string | null>(null);
  const hasMore = ref(false);
  const loaded = ref(false);
  const loading = ref(false);
  const live = new Map<string, () => void>();

  const list = computed(() => Object.values(byId.value).sort(byActivity));
  const totalUnread = computed(() => list.value.reduce((n, r) => n + (r.closed ? 0 : r.unreadCount), 0));

  function upsert(room: RoomPartsFragment): void {
    byId.value = { ...byId.value, [room.id]: room };
    syncLive();
  }

  function patch(roomId: string, change: Partial<RoomPartsFragment>): void {
    const room = byId.value[roomId];
    if (room) byId.value = { ...byId.value, [roomId]: { ...room, ...change } };
  }

  /** Drops a room the user left (or may no longer read): from the list, its live stream and its thread. */
  function remove(roomId: string): void {
    if (byId.value[roomId]) {
      const { [roomId]: _gone, ...rest } = byId.value;
      byId.value = rest;
    }
    useChatStore().forget(roomId);
    syncLive();
  }

  async function fetchPage(after: string | null) {
    const { data } = await api.client.query({ query: RoomsDocument, variables: { first: PAGE_SIZE, after } });
    return data.rooms;
  }

  /**
   * First page (on open, focus, reconnect); keeps later pages already loaded. Rooms held before the
   * call that the page should hold but does not (newer than its oldest room, or any when it is the
   * only page) were left meanwhile, e.g. on another device: they are dropped.
   */
  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const held = list.value;
      const page = await fetchPage(null);
      const listed = new Set(page.edges.map((e) => e.node.id));
      const oldest = page.edges.at(-1)?.node.lastActivityAt ?? '';
      const left = held.filter(
        (r) => !listed.has(r.id) && (!page.pageInfo.hasNextPage || r.lastActivityAt.localeCompare(oldest) > 0),
      );
      const next = { ...byId.value };
      for (const { id } of left) delete next[id];
      for (const { node } of page.edges) next[node.id] = node;
      byId.value = next;
      for (const { id } of left) useChatStore().forget(id);
      if (!loaded.value) {
        endCursor.value = page.pageInfo.endCursor ?? null;
        hasMore.value = page.pageInfo.hasNextPage;
      }
      loaded.value = true;
      syncLive();
    } catch (err) {
      throw apiFailure(err);
    } finally {
      loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    if (!hasMore.value || loading.value) return;
    loading.value = true;
    try {
      const page = await fetchPage(endCursor.value);
      const next = { ...byId.value };
      for (const { node } of page.edges) next[node.id] = node;
      byId.value = next;
      endCursor.value = page.pageInfo.endCursor ?? null;
      hasMore.value = page.pageInfo.hasNextPage;
      syncLive();
    } catch (err) {
      throw apiFailure(err);
    } finally {
      loading.value = false;
    }
  }

  /** Reads one room into the list; one the API refuses (left, or never ours) is dropped, and the refusal thrown. */
  async function fetchRoom(roomId: string): Promise<RoomPartsFragment> {
    try {
      const { data } = await api.client.query({ query: RoomDocument, variables: { id: roomId } });
      upsert(data.room);
      return data.room;
    } catch (err) {
      const failure = apiFailure(err);
      if (failure.code === 'FORBIDDEN') remove(roomId);
      throw failure;
    }
  }

  /** Applies one live event to the list, then hands it to the chat store. */
  function onEvent(event: RoomEvent): void {
    const room = byId.value[event.roomId];
    const me = useAuthStore().user?.id;
    const chat = useChatStore();
    if (room) {
      if (event.type === 'MESSAGE' && event.message) {
        const m = event.message;
        const newer = !room.lastMessage || m.seq > room.lastMessage.seq;
        const mine = m.sender.id === me;
        if (!mine && newer)
          useNotificationsStore().notify({ type: 'MESSAGE', roomId: room.id, text: '', preview: previewOf(m.body) });
        const reading = chat.isReading(room.id);
        patch(room.id, {
          lastMessage: newer ? m : room.lastMessage,
          lastActivityAt: newer ? m.createdAt : room.lastActivityAt,
          unreadCount: mine
            ? 0
            : !reading && newer && m.seq > room.lastReadSeq
              ? room.unreadCount + 1
              : room.unreadCount,
          lastReadSeq: mine ? Math.max(room.lastReadSeq, m.seq) : room.lastReadSeq,
        });
      } else if (event.type === 'READ' && event.seq != null) {
        if (event.userId === me) {
          const caughtUp = !room.lastMessage || event.seq >= room.lastMessage.seq;
          patch(room.id, {
            lastReadSeq: Math.max(room.lastReadSeq, event.seq),
            unreadCount: caughtUp ? 0 : room.unreadCount,
          });
        } else {
          patch(room.id, { peerLastReadSeq: Math.max(room.peerLastReadSeq, event.seq) });
        }
      } else if (event.type === 'PEER_LEFT' && event.userId === me) {
        remove(room.id); // left on another device (or by Next there): gone here too
      } else if (event.type === 'PEER_LEFT') {
        patch(room.id, { closed: true, closedReason: event.reason ?? room.closedReason ?? 'LEFT' });
      }
    }
    chat.onEvent(event);
  }

  /** Follows the most recently active open rooms (and the one being read); stops the others. */
  function syncLive(): void {
    const chat = useChatStore();
    const wanted = new Set(
      list.value
        .filter((r) => !r.closed)
        .slice(0, MAX_LIVE_ROOMS)
        .map((r) => r.id),
    );
    const reading = chat.readingRoomId;
    if (reading && byId.value[reading] && !byId.value[reading]!.closed) wanted.add(reading);
    for (const [id, stop] of live) {
      if (!wanted.has(id)) {
        stop();
        live.delete(id);
      }
    }
    for (const id of wanted) {
      if (live.has(id)) continue;
      const stop = subscribeLive(
        api.client,
        RoomEventsDocument,
        { roomId: id },
        {
          next: (data) => onEvent(data.roomEvents),
          // Anything that went by while the stream was away comes back through messagesAfter.
          reopened: () => void chat.catchUpAfterOutage(id),
          error: () => void fetchRoom(id).catch(() => undefined),
          complete: () => {
            live.delete(id);
            void fetchRoom(id).catch(() => undefined);
          },
        },
      );
      live.set(id, stop);
    }
  }

  function reset(): void {
    for (const stop of live.values()) stop();
    live.clear();
    byId.value = {};
    endCursor.value = null;
    hasMore.value = false;
    loaded.value = false;
  }

  return {
    byId,
    list,
    totalUnread,
    hasMore,
    loaded,
    loading,
    upsert,
    patch,
    remove,
    refresh,
    loadMore,
    fetchRoom,
    onEvent,
    syncLive,
    reset,
    liveRoomIds: () => [...live.keys()],
  };
});
