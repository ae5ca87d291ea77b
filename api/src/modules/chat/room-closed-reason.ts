import { registerEnumType } from 'type-graphql';

/** Why a room closed. */
export enum RoomClosedReason {
  LEFT = 'LEFT',
  BLOCKED = 'BLOCKED',
  ACCOUNT_DELETED = 'ACCOUNT_DELETED',
}

registerEnumType(RoomClosedReason, {
  name: 'RoomClosedReason',
  description: 'Why a room closed',
  valuesConfig: {
    LEFT: { description: 'A member left (leaveRoom)' },
    BLOCKED: { description: 'A member blocked the other' },
    ACCOUNT_DELETED: { description: 'A member deleted their account' },
  },
});
