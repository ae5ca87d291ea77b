import { describe, expect, it } from '@jest/globals';
import type { MatchEventPartsFragment } from '../gql/graphql';
import { applyMatchEvent, fromStatus, idleView, type MatchView } from './events';

const event = (type: MatchEventPartsFragment['type'], matchId = 'm1'): MatchEventPartsFragment => ({
  type,
  matchId,
  distanceKm: 2,
  expiresAt: '2030-01-01T00:00:30Z',
  partner: null,
  room: null,
});
const offeredView = (over: Partial<MatchView> = {}): MatchView => ({
  ...idleView(),
  phase: 'offered',
  offer: event('OFFERED'),
  ...over,
});

describe('applying match events', () => {
  it('an offer replaces searching', () => {
    expect(applyMatchEvent({ ...idleView(), phase: 'searching' }, event('OFFERED'))).toMatchObject({
      phase: 'offered',
      accepted: false,
    });
  });

  it('a replayed offer keeps what I already answered', () => {
    expect(applyMatchEvent(offeredView({ accepted: true }), event('OFFERED'))).toMatchObject({
      phase: 'offered',
      accepted: true,
    });
  });

  it('ignores events about another match than the open offer', () => {
    const view = offeredView();
    expect(applyMatchEvent(view, event('PEER_ACCEPTED', 'old'))).toBe(view);
    expect(applyMatchEvent(view, event('DECLINED', 'old'))).toBe(view);
    expect(applyMatchEvent(view, event('EXPIRED', 'old'))).toBe(view);
    expect(applyMatchEvent(view, event('MATCHED', 'old'))).toBe(view);
  });

  it('DECLINED by the partner puts me back to searching with a notice', () => {
    expect(applyMatchEvent(offeredView(), event('DECLINED'))).toMatchObject({
      phase: 'searching',
      notice: 'DECLINED',
      offer: null,
    });
  });

  it('EXPIRED: back to searching if I accepted, idle if I did not answer', () => {
    expect(applyMatchEvent(offeredView({ accepted: true }), event('EXPIRED'))).toMatchObject({
      phase: 'searching',
      notice: 'EXPIRED_BACK_TO_SEARCH',
    });
    expect(applyMatchEvent(offeredView(), event('EXPIRED'))).toMatchObject({ phase: 'idle', notice: 'EXPIRED' });
  });

  it('SEARCH_TIMEOUT ends a search; CANCELLED ends anything but a match', () => {
    expect(applyMatchEvent({ ...idleView(), phase: 'searching' }, event('SEARCH_TIMEOUT', 's1'))).toMatchObject({
      phase: 'idle',
      notice: 'SEARCH_TIMEOUT',
    });
    expect(applyMatchEvent(offeredView(), event('SEARCH_TIMEOUT', 's1')).phase).toBe('offered');
    expect(applyMatchEvent({ ...idleView(), phase: 'searching' }, event('CANCELLED', 's1'))).toMatchObject({
      phase: 'idle',
      notice: 'CANCELLED',
    });
    const matched = { ...idleView(), phase: 'matched' as const, roomId: 'r' };
    expect(applyMatchEvent(matched, event('CANCELLED', 's1'))).toBe(matched);
  });
});

describe('reading matchStatus', () => {
  it('maps each state', () => {
    expect(fromStatus({ state: 'SEARCHING', radiusKm: 5, accepted: false, offer: null }, idleView()).phase).toBe(
      'searching',
    );
    expect(
      fromStatus({ state: 'OFFERED', radiusKm: 5, accepted: true, offer: event('OFFERED') }, idleView()),
    ).toMatchObject({ phase: 'offered', accepted: true });
    expect(fromStatus({ state: 'IDLE', radiusKm: null, accepted: false, offer: null }, offeredView()).phase).toBe(
      'idle',
    );
  });
});
