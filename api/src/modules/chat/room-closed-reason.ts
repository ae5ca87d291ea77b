import { registerEnumType } from 'type-graphql';

/** Why a room closed. */
export enum RoomClosedReason {
  LEFT = 'LEFT',
  BLOCKED = 'BLOCKED',
  ACCOUNT_DELETED = 'ACCOUNT_DELETED',
  NEXT = 'NEXT',
}

registerEnumType(RoomClosedReason, {
  name: 'RoomClosedReason',
  description: 'Why a room closed',
  valuesConfig: {
    LEFT: { description: 'A member left (leaveRoom)' },
    BLOCKED: { description: 'A member blocked the other' },
    ACCOUNT_DELETED: { description: 'A member deleted their account' },
    NEXT: { description: 'A member moved on to the next match (nextMatch)' },
  },
});
