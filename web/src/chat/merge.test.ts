import { describe, expect, it } from '@jest/globals';
import { serverMessage } from '../test/messages';
import {
  addPending,
  contiguousSeq,
  deliveryOf,
  emptyThread,
  hasGapBefore,
  highestSeq,
  mergeServerMessages,
  updatePending,
  type PendingMessage,
  type Thread,
} from './merge';

const ME = 'me';
const PEER = 'peer';
const msg = serverMessage;
const pending = (clientMessageId: string, state: PendingMessage['state'] = 'sending'): PendingMessage => ({
  clientMessageId,
  body: 'hi',
  imageId: null,
  previewUrl: null,
  state,
  error: null,
  createdAt: new Date().toISOString(),
});
const seqs = (t: Thread) => t.messages.map((m) => m.seq);

describe('merging stored messages', () => {
  it('orders messages by seq whatever order they arrive in', () => {
    const t = mergeServerMessages(emptyThread(), [msg(3), msg(1), msg(2)], ME);
    expect(seqs(t)).toEqual([1, 2, 3]);
    expect(highestSeq(t)).toBe(3);
  });

  it('drops duplicates: a seq held once stays once, with the newer copy', () => {
    let t = mergeServerMessages(emptyThread(), [msg(1), msg(2)], ME);
    const fresher = { ...msg(2), image: { url: 'new', thumbnailUrl: 'new-t', width: 1, height: 1 } };
    t = mergeServerMessages(t, [fresher, msg(2), msg(3)].reverse(), ME);
    expect(seqs(t)).toEqual([1, 2, 3]);
    t = mergeServerMessages(t, [fresher], ME);
    expect(t.messages[1]!.image?.url).toBe('new');
  });

  it('prepends an older history page below what is held', () => {
    const t = mergeServerMessages(
      mergeServerMessages(emptyThread(), [msg(31), msg(32)], ME),
      [msg(1), msg(2), msg(30)],
      ME,
    );
    expect(seqs(t)).toEqual([1, 2, 30, 31, 32]);
  });

  it('returns the same thread when nothing arrives', () => {
    const t = mergeServerMessages(emptyThread(), [msg(1)], ME);
    expect(mergeServerMessages(t, [], ME)).toBe(t);
  });
});

describe('optimistic messages', () => {
  it('turns a pending message into its stored copy exactly once, matched by clientMessageId', () => {
    let t = addPending(emptyThread(), pending('abc'));
    t = mergeServerMessages(t, [msg(5, ME, 'abc')], ME);
    expect(t.pending).toEqual([]);
    expect(seqs(t)).toEqual([5]);
    // the live event of the same message after the ack: still one message
    t = mergeServerMessages(t, [msg(5, ME, 'abc')], ME);
    expect(seqs(t)).toEqual([5]);
  });

  it('keeps a pending message when only the peer used the same clientMessageId', () => {
    const t = mergeServerMessages(addPending(emptyThread(), pending('same')), [msg(1, PEER, 'same')], ME);
    expect(t.pending.map((p) => p.clientMessageId)).toEqual(['same']);
  });

  it('marks a failed attempt and keeps its clientMessageId for the retry', () => {
    let t = addPending(emptyThread(), pending('x'));
    t = updatePending(t, 'x', { state: 'failed', error: 'NETWORK_ERROR' });
    expect(t.pending[0]).toMatchObject({ clientMessageId: 'x', state: 'failed', error: 'NETWORK_ERROR' });
    expect(updatePending(t, 'unknown', { state: 'sending' })).toBe(t);
    // the retry succeeded on the server while the first answer was lost: the stored copy settles it
    t = mergeServerMessages(t, [msg(9, ME, 'x')], ME);
    expect(t.pending).toEqual([]);
  });

  it('adding the same pending id twice keeps one entry', () => {
    const t = addPending(addPending(emptyThread(), pending('x', 'failed')), pending('x'));
    expect(t.pending).toHaveLength(1);
    expect(t.pending[0]!.state).toBe('sending');
  });
});

describe('reconnect catch-up', () => {
  it('detects a gap when a live event skips seqs', () => {
    const t = mergeServerMessages(emptyThread(), [msg(1), msg(2), msg(3)], ME);
    expect(hasGapBefore(t, 4)).toBe(false);
    expect(hasGapBefore(t, 6)).toBe(true);
    expect(hasGapBefore(emptyThread(), 10)).toBe(false);
  });

  it('fills the gap with messagesAfter without duplicating what arrived live meanwhile', () => {
    // held 1..3; the socket drops; 4 and 5 are sent; the socket returns and 6 arrives live first
    let t = mergeServerMessages(emptyThread(), [msg(1), msg(2), msg(3)], ME);
    t = addPending(t, pending('mine-7'));
    t = mergeServerMessages(t, [msg(6)], ME);
    expect(hasGapBefore(t, 6)).toBe(true);
    expect(contiguousSeq(t)).toBe(3);
    // messagesAfter(afterSeq: 3) answers 4..7, overlapping the live 6 and settling my pending 7
    t = mergeServerMessages(t, [msg(4), msg(5), msg(6), msg(7, ME, 'mine-7')], ME);
    expect(seqs(t)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(t.pending).toEqual([]);
    expect(hasGapBefore(t, 8)).toBe(false);
    expect(contiguousSeq(t)).toBe(7);
  });

  it('starts a catch-up at 0 for an empty thread', () => {
    expect(contiguousSeq(emptyThread())).toBe(0);
  });
});

describe('delivery state', () => {
  it('shows "seen" once the peer read up to the message', () => {
    expect(deliveryOf(msg(4, ME), 3)).toBe('sent');
    expect(deliveryOf(msg(4, ME), 4)).toBe('seen');
    expect(deliveryOf(msg(4, ME), 9)).toBe('seen');
  });
});
