import { domainEvent } from '../../infra/events/domain-events';

/**
 * A user was offered a match (each of the two hears it once, on the instance that made the pair).
 * Handlers must return at once: the queue step waits for nothing else.
 */
export const MatchOffered = domainEvent<{ userId: string; matchId: string }>('matching.offered');
