import type { Client } from 'graphql-ws';
import { ROOM_EVENTS, type ChatMessage, type Chatter } from './chatter';
import { ok } from './ok';
import { waitFor } from './wait-for';

export interface RoomEvent {
  type: 'MESSAGE' | 'TYPING' | 'READ' | 'PEER_LEFT';
  roomId: string;
  userId: string | null;
  seq: number | null;
  message: ChatMessage | null;
}

export interface RoomEventStream {
  /** Every event received so far, in arrival order. */
  events: RoomEvent[];
  /** Errors: a `next` result's errors, or what the `error` sink got (an error list or a close event). */
  errors: unknown[];
  completed: boolean;
  /** The messages of the MESSAGE events so far, in arrival order. */
  messages(): ChatMessage[];
  /** Resolves with the first event matching `predicate` (already received ones count). */
  next(predicate: (e: RoomEvent) => boolean, timeoutMs?: number): Promise<RoomEvent>;
  /** Resolves once `count` MESSAGE events arrived. */
  untilMessages(count: number, timeoutMs?: number): Promise<ChatMessage[]>;
  /**
   * Resolves once the server has really subscribed (graphql-ws does not acknowledge subscriptions):
   * calls `poke` (e.g. the peer's setTyping) until any event arrives.
   */
  untilLive(poke: () => Promise<unknown>, timeoutMs?: number): Promise<void>;
  /** Resolves once the server completed the subscription (or it errored). */
  untilEnded(timeoutMs?: number): Promise<void>;
  /** The `extensions.code` of every error received. */
  errorCodes(): unknown[];
  close(): void;
}

/**
 * Subscribes to `roomEvents(roomId)` through a graphql-ws client, collecting events, errors and
 * completion. `query` may select more fields than ROOM_EVENTS (it must keep its variable and fields).
 */
export function subscribeRoom(client: Client, roomId: string, query = ROOM_EVENTS): RoomEventStream {
  const events: RoomEvent[] = [];
  const errors: unknown[] = [];
  let ended = false;
  const stream: RoomEventStream = {
    events,
    errors,
    completed: false,
    messages: () => events.filter((e) => e.type === 'MESSAGE').map((e) => e.message!),
    async next(predicate, timeoutMs = 5000) {
      await waitFor(() => events.some(predicate), {
        timeoutMs,
        message: `a matching room event (got ${JSON.stringify(events.slice(-5))}, errors ${JSON.stringify(errors)})`,
      });
      return events.find(predicate)!;
    },
    async untilMessages(count, timeoutMs = 10_000) {
      await waitFor(() => stream.messages().length >= count, {
        timeoutMs,
        message: `${count} MESSAGE events (got ${stream.messages().length}, errors ${JSON.stringify(errors)})`,
      });
      return stream.messages();
    },
    async untilLive(poke, timeoutMs = 10_000) {
      await waitFor(
        async () => {
          if (events.length > 0) return true;
          if (ended) throw new Error(`the roomEvents subscription ended before going live: ${JSON.stringify(errors)}`);
          await poke();
          return false;
        },
        {
          timeoutMs,
          intervalMs: 100,
          message: `the roomEvents subscription to go live (errors ${JSON.stringify(errors)})`,
        },
      );
    },
    async untilEnded(timeoutMs = 5000) {
      await waitFor(() => ended, {
        timeoutMs,
        message: `the roomEvents subscription to end (got ${JSON.stringify(events)})`,
      });
    },
    errorCodes: () =>
      errors
        .flatMap((e) => (Array.isArray(e) ? e : [e]))
        .map((e) => (e as { extensions?: { code?: unknown } })?.extensions?.code),
    close: () => dispose(),
  };
  const dispose = client.subscribe<{ roomEvents: RoomEvent }>(
    { query, variables: { roomId } },
    {
      next: (result) => (result.errors ? errors.push(result.errors) : events.push(result.data!.roomEvents)),
      error: (err) => {
        errors.push(err);
        ended = true;
      },
      complete: () => {
        stream.completed = true;
        ended = true;
      },
    },
  );
  return stream;
}

/**
 * A reader's view of a room after a fault, as the web app builds it: what `stream` delivered live up
 * to the first gap in seq, then `messagesAfter` from there, by seq.
 */
export async function recoveredView(stream: RoomEventStream, reader: Chatter, roomId: string): Promise<ChatMessage[]> {
  const live = stream.messages();
  let upTo = 0;
  while (live.some((m) => m.seq === upTo + 1)) upTo++;
  const merged = new Map<number, ChatMessage>();
  for (const m of [...live.filter((m) => m.seq <= upTo), ...ok(await reader.messagesAfter(roomId, upTo)).messagesAfter])
    merged.set(m.seq, m);
  return [...merged.values()].sort((x, y) => x.seq - y.seq);
}
