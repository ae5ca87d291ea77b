import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Gender } from './gender';
import type { User } from './user.entity';

@ObjectType('User', { description: 'A randchat member, as other members see them' })
export class UserObject {
  @Field(() => ID, { description: 'Stable, opaque user id' })
  id!: string;

  @Field({ description: 'Public display name (2-20 characters)' })
  nickname!: string;

  @Field(() => Gender, { nullable: true, description: 'Self-described gender, if given' })
  gender?: Gender | null;

  @Field(() => Int, { nullable: true, description: 'Year of birth, if given' })
  birthYear?: number | null;

  @Field({ description: 'When the account was created' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: "Email address; null unless this is the signed-in user's own account" })
  email?: string | null;
}

/** The GraphQL view of a user as `viewerId` sees them: only the user themself sees their email. */
export function toUserObject(user: User, viewerId: string | undefined): UserObject {
  return Object.assign(new UserObject(), {
    id: user.id,
    nickname: user.nickname,
    gender: user.gender ?? null,
    birthYear: user.birthYear ?? null,
    createdAt: user.createdAt,
    email: viewerId === user.id ? user.email : null,
  });
}
