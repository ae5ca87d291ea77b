import type { MatchEventPartsFragment, MatchStatusFieldsFragment } from '../gql/graphql';

export type MatchPhase = 'idle' | 'searching' | 'offered' | 'matched';

/** A message to show after a match event that ended or changed the current step. */
export type MatchNotice =
  'DECLINED' | 'DECLINED_BY_ME' | 'EXPIRED' | 'EXPIRED_BACK_TO_SEARCH' | 'CANCELLED' | 'SEARCH_TIMEOUT' | null;

export interface MatchView {
  phase: MatchPhase;
  offer: MatchEventPartsFragment | null;
  /** I accepted the open offer. */
  accepted: boolean;
  /** The partner accepted the open offer. */
  peerAccepted: boolean;
  /** The room of the last MATCHED event. */
  roomId: string | null;
  notice: MatchNotice;
}

export const idleView = (): MatchView => ({
  phase: 'idle',
  offer: null,
  accepted: false,
  peerAccepted: false,
  roomId: null,
  notice: null,
});

/** The view after `matchStatus` (on load or after a reconnect). */
export function fromStatus(status: MatchStatusFieldsFragment, previous: MatchView): MatchView {
  if (status.state === 'OFFERED' && status.offer) {
    const same = previous.offer?.matchId === status.offer.matchId;
    return {
      ...previous,
      phase: 'offered',
      offer: status.offer,
      accepted: status.accepted,
      peerAccepted: same && previous.peerAccepted,
      notice: null,
    };
  }
  if (status.state === 'SEARCHING')
    return { ...previous, phase: 'searching', offer: null, accepted: false, peerAccepted: false };
  return previous.phase === 'matched'
    ? previous
    : { ...previous, phase: 'idle', offer: null, accepted: false, peerAccepted: false };
}

/**
 * Applies one `matchEvents` event. Events naming another match than the open offer are ignored
 * (a late event about an old match never changes a newer one), except search-level ones.
 */
export function applyMatchEvent(view: MatchView, event: MatchEventPartsFragment): MatchView {
  const current = view.offer?.matchId;
  const aboutOffer = current !== undefined && event.matchId === current;
  switch (event.type) {
    case 'OFFERED':
      return {
        ...view,
        phase: 'offered',
        offer: event,
        accepted: aboutOffer && view.accepted,
        peerAccepted: aboutOffer && view.peerAccepted,
        notice: null,
      };
    case 'PEER_ACCEPTED':
      return aboutOffer ? { ...view, peerAccepted: true } : view;
    case 'MATCHED':
      if (current !== undefined && !aboutOffer) return view;
      return { ...idleView(), phase: 'matched', roomId: event.room?.id ?? null };
    case 'DECLINED':
      // Reaches us as the declined side (when I decline, `respond` already left the offer): the
      // server puts us back in the queue.
      return aboutOffer ? { ...idleView(), phase: 'searching', notice: 'DECLINED' } : view;
    case 'EXPIRED':
      if (!aboutOffer) return view;
      return view.accepted
        ? { ...idleView(), phase: 'searching', notice: 'EXPIRED_BACK_TO_SEARCH' }
        : { ...idleView(), notice: 'EXPIRED' };
    case 'CANCELLED':
      return view.phase === 'matched'
        ? view
        : { ...idleView(), notice: view.phase === 'idle' ? view.notice : 'CANCELLED' };
    case 'SEARCH_TIMEOUT':
      return view.phase === 'searching' ? { ...idleView(), notice: 'SEARCH_TIMEOUT' } : view;
    case 'INTERRUPTED':
      // The server lost the search or offer; the store asks for matchStatus and requests again.
      return view;
    default:
      return view;
  }
}
