import { registerEnumType } from 'type-graphql';

/** What an account may do beyond chatting; set by operators with `npm run user:role`. */
export enum UserRole {
  USER = 'USER',
  MODERATOR = 'MODERATOR',
}

registerEnumType(UserRole, {
  name: 'UserRole',
  description: "An account's role; visible to the account itself and to moderators",
  valuesConfig: {
    USER: { description: 'A member' },
    MODERATOR: { description: 'Reads reported conversations and sanctions accounts (/moderation)' },
  },
});
