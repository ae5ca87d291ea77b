import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RoomObject } from '../chat';
import { UserObject } from '../users';

export enum MatchState {
  IDLE = 'IDLE',
  SEARCHING = 'SEARCHING',
  OFFERED = 'OFFERED',
}

export enum MatchEventType {
  OFFERED = 'OFFERED',
  PEER_ACCEPTED = 'PEER_ACCEPTED',
  MATCHED = 'MATCHED',
  DECLINED = 'DECLINED',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
  SEARCH_TIMEOUT = 'SEARCH_TIMEOUT',
  INTERRUPTED = 'INTERRUPTED',
}

registerEnumType(MatchState, {
  name: 'MatchState',
  description: 'Where the caller is in matching',
  valuesConfig: {
    IDLE: { description: 'Not searching' },
    SEARCHING: { description: 'In the queue, waiting for someone in range' },
    OFFERED: { description: 'Offered a partner; waiting for both answers' },
  },
});

registerEnumType(MatchEventType, {
  name: 'MatchEventType',
  description: 'What happened to the caller in matching',
  valuesConfig: {
    OFFERED: { description: 'A partner was found: accept or decline before expiresAt' },
    PEER_ACCEPTED: { description: 'The partner accepted the offer' },
    MATCHED: { description: 'Both accepted: `room` is your new chat room' },
    DECLINED: {
      description:
        'The offer was declined (by either side); if the partner declined, you are searching again. The two of you are not offered to each other again for MATCH_DECLINE_COOLDOWN_SECONDS',
    },
    EXPIRED: {
      description:
        'The offer timed out; whoever accepted is searching again, whoever did not answer is idle. No cooldown: searching again, the same two can be offered to each other at once',
    },
    CANCELLED: { description: 'You left matching (cancelMatch, or no live matchEvents subscription)' },
    SEARCH_TIMEOUT: { description: 'The search ended after MATCH_SEARCH_TIMEOUT_SECONDS without a match' },
    INTERRUPTED: {
      description:
        'Matching was interrupted by a server fault and your search or offer was lost: read matchStatus and, if IDLE, call requestMatch again with the same input',
    },
  },
});

@ObjectType('MatchEvent', { description: 'One step of matching, addressed to the caller' })
export class MatchEventObject {
  @Field(() => MatchEventType, { description: 'What happened' })
  type!: MatchEventType;

  @Field(() => ID, {
    description: 'The offer concerned (for search-level events, the id of the search); ignore events for other ids',
  })
  matchId!: string;

  @Field(() => UserObject, { nullable: true, description: 'The offered partner' })
  partner?: UserObject | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Coarse distance to the partner in km (1, 2, 5, 10, 20, 50 or 100, computed from grid cells), never more than either user's radius",
  })
  distanceKm?: number | null;

  @Field(() => Date, { nullable: true, description: 'Deadline for answering the offer' })
  expiresAt?: Date | null;

  @Field(() => RoomObject, { nullable: true, description: 'The new chat room (MATCHED only)' })
  room?: RoomObject | null;
}

@ObjectType('MatchStatus', {
  description: "The caller's matching state; readable at any time (e.g. after a reconnect)",
})
export class MatchStatusObject {
  @Field(() => MatchState, { description: 'IDLE, SEARCHING or OFFERED' })
  state!: MatchState;

  @Field(() => Int, { nullable: true, description: 'The radius of the current search, in km' })
  radiusKm?: number | null;

  @Field(() => MatchEventObject, { nullable: true, description: 'The open offer (state OFFERED)' })
  offer?: MatchEventObject | null;

  @Field({ description: 'Whether you already accepted the open offer' })
  accepted!: boolean;
}
