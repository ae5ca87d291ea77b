/**
 * The chat thread as a pure value: server messages keyed and ordered by `seq`, plus the messages
 * this client is still sending. Every source of messages (history pages, live events, send acks,
 * `messagesAfter` catch-up after a reconnect) goes through `mergeServerMessages`, so the order,
 * de-duplication and the hand-over from a pending message to its stored copy live in one place.
 */

export interface ServerImage {
  url: string;
  thumbnailUrl: string;
  width: number;
  height: number;
}

/** A stored message, as the API returns it (the fields the thread needs). */
export interface ServerMessage {
  id: string;
  roomId: string;
  seq: number;
  body: string;
  clientMessageId: string;
  createdAt: string;
  sender: { id: string };
  image: ServerImage | null;
  /** What the server's link guard hid in `body` (the sender is told why). */
  masked?: readonly string[];
}

/** A message this client sent that the server has not acknowledged (yet). */
export interface PendingMessage {
  clientMessageId: string;
  body: string;
  /** The upload to attach, once uploaded. */
  imageId: string | null;
  /** A local object URL for the image preview while it is pending. */
  previewUrl: string | null;
  state: 'sending' | 'failed';
  /** Why the last attempt failed (an API error code), for the retry prompt. */
  error: string | null;
  createdAt: string;
}

export interface Thread {
  /** Strictly increasing by seq, one entry per seq. */
  messages: ServerMessage[];
  /** In the order they were written; dropped once their stored copy arrives. */
  pending: PendingMessage[];
}

export const emptyThread = (): Thread => ({ messages: [], pending: [] });

/** The highest seq held, 0 for none (`messagesAfter(afterSeq: 0)` then returns everything). */
export function highestSeq(thread: Thread): number {
  return thread.messages.at(-1)?.seq ?? 0;
}

/**
 * Where a catch-up starts: the highest seq reached without a hole from the oldest message held.
 * After a live event skipped some seqs this is below `highestSeq`, so `messagesAfter` fills the hole.
 */
export function contiguousSeq(thread: Thread): number {
  const held = thread.messages;
  let seq = held[0]?.seq ?? 0;
  for (let i = 1; i < held.length && held[i]!.seq === seq + 1; i++) seq = held[i]!.seq;
  return seq;
}

/**
 * Adds stored messages from any source. A seq already held is replaced by the newer copy (same
 * message, perhaps with fresher image URLs); pending messages whose `clientMessageId` now has a
 * stored copy from `myId` are dropped, so an optimistic bubble turns into the real one exactly once.
 */
export function mergeServerMessages(thread: Thread, incoming: readonly ServerMessage[], myId: string): Thread {
  if (incoming.length === 0) return thread;
  const bySeq = new Map<number, ServerMessage>();
  for (const m of thread.messages) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const stored = new Set(incoming.filter((m) => m.sender.id === myId).map((m) => m.clientMessageId));
  const pending = thread.pending.filter((p) => !stored.has(p.clientMessageId));
  return { messages, pending: pending.length === thread.pending.length ? thread.pending : pending };
}

/**
 * Seqs missing between the lowest held and `upTo` (e.g. a live event's seq): a non-empty answer
 * means a message went by while the socket was away, and `messagesAfter` must fill it.
 */
export function hasGapBefore(thread: Thread, upTo: number): boolean {
  const held = thread.messages;
  if (held.length === 0) return false;
  const first = held[0]!.seq;
  const inRange = held.filter((m) => m.seq < upTo).length;
  return upTo - first > inRange;
}

export function addPending(thread: Thread, message: PendingMessage): Thread {
  return {
    ...thread,
    pending: [...thread.pending.filter((p) => p.clientMessageId !== message.clientMessageId), message],
  };
}

/** Updates one pending message (a failed attempt, a retry starting); unknown ids change nothing. */
export function updatePending(
  thread: Thread,
  clientMessageId: string,
  patch: Partial<Omit<PendingMessage, 'clientMessageId'>>,
): Thread {
  if (!thread.pending.some((p) => p.clientMessageId === clientMessageId)) return thread;
  return {
    ...thread,
    pending: thread.pending.map((p) => (p.clientMessageId === clientMessageId ? { ...p, ...patch } : p)),
  };
}

export function removePending(thread: Thread, clientMessageId: string): Thread {
  return { ...thread, pending: thread.pending.filter((p) => p.clientMessageId !== clientMessageId) };
}

/** What the peer has seen of mine: "seen" for my stored messages with seq <= peerLastReadSeq. */
export type Delivery = 'sending' | 'failed' | 'sent' | 'seen';

export function deliveryOf(message: ServerMessage, peerLastReadSeq: number): Delivery {
  return message.seq <= peerLastReadSeq ? 'seen' : 'sent';
}
