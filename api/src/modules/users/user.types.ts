import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Gender } from './gender';
import type { UserFields } from './user.row';

/** How a deleted account appears in its former peers' history. */
export const DELETED_NICKNAME = 'Deleted user';

@ObjectType('User', { description: 'A randchat member, as other members see them' })
export class UserObject {
  @Field(() => ID, { description: 'Stable, opaque user id' })
  id!: string;

  @Field({ description: 'Public display name (2-20 characters); "Deleted user" once the account is deleted' })
  nickname!: string;

  @Field(() => Gender, { nullable: true, description: 'Self-described gender, if given' })
  gender?: Gender | null;

  @Field(() => Int, { nullable: true, description: 'Year of birth, if given' })
  birthYear?: number | null;

  @Field(() => Int, { nullable: true, description: 'Age in years as of this year (from birthYear), if given' })
  age?: number | null;

  @Field({ description: 'True once the account was deleted: nothing but the id remains' })
  deleted!: boolean;

  @Field({ description: 'When the account was created' })
  createdAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: "Email address; null unless this is the signed-in user's own account",
  })
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The email with most of the local part hidden (m***a@example.com), for display; only on your own account',
  })
  maskedEmail?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether you verified a phone number (verifyPhone); null unless this is your own account. ' +
      'With REQUIRE_PHONE_VERIFICATION on (trustPolicy.phoneVerificationRequired) matching and sending need it',
  })
  phoneVerified?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'Your verified phone number with most digits hidden (+82******5678); only on your own account',
  })
  maskedPhone?: string | null;

  /** The profile photo's upload id (resolved to `photo` by UserResolver; not a field). */
  photoId?: string | null;

  /**
   * Whether this view is for the user themself (not a field): true also where the request carries
   * no token yet, as in the AuthPayload of logIn and refreshToken.
   */
  ownView?: boolean;
}

/** m***a@example.com: the first and last character of the local part, the domain in full. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? `${local[0] ?? ''}***` : `${local[0]}***${local.at(-1)}`;
  return `${shown}${email.slice(at)}`;
}

/** +821012345678 -> +82******5678: the country code and the last four digits. */
export function maskPhone(phone: string): string {
  const country = /^\+(1|7|\d{2})/.exec(phone)?.[0] ?? '+';
  return `${country}${'*'.repeat(Math.max(0, phone.length - country.length - 4))}${phone.slice(-4)}`;
}

/** The GraphQL view of a user as `viewerId` sees them: only the user themself sees their email. */
export function toUserObject(user: UserFields, viewerId: string | undefined): UserObject {
  const own = viewerId === user.id && user.email;
  return Object.assign(new UserObject(), {
    id: user.id,
    nickname: user.deletedAt ? DELETED_NICKNAME : user.nickname,
    gender: user.gender ?? null,
    birthYear: user.birthYear ?? null,
    age: user.birthYear ? new Date().getUTCFullYear() - user.birthYear : null,
    deleted: Boolean(user.deletedAt),
    createdAt: user.createdAt,
    email: own ? user.email : null,
    maskedEmail: own ? maskEmail(user.email!) : null,
    phoneVerified: own ? Boolean(user.phoneVerifiedAt) : null,
    maskedPhone: own && user.phone ? maskPhone(user.phone) : null,
    photoId: user.photoId ?? null,
    ownView: viewerId === user.id,
  });
}
