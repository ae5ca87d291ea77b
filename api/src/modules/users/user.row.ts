import { dateFromColumn, numberOrNull, optionalDateFromColumn, stringOrNull } from '../../infra/db/sql-values';
import type { Gender } from './gender';
import type { User } from './user.entity';

/**
 * A user as other code reads them: a User entity, or a row read without the ORM (hot paths that
 * skip hydration). Other modules get users in this shape, never as entities.
 */
export type UserFields = Pick<
  User,
  'id' | 'email' | 'nickname' | 'gender' | 'birthYear' | 'photoId' | 'deletedAt' | 'createdAt' | 'phoneVerifiedAt'
> &
  Partial<Pick<User, 'phone'>>;

/** What the GraphQL view of a user reads from `users`, but the email. */
const PUBLIC_COLUMNS = [
  'id',
  'nickname',
  'gender',
  'birth_year',
  'photo_id',
  'deleted_at',
  'created_at',
  'phone_verified_at',
];

/**
 * `alias.column AS prefix_column, ...` for reading a user with plain SQL (hot paths that skip entity
 * hydration). The email (and the phone number) only when asked for: select them only where the
 * viewer may be that user.
 */
export function userColumns(alias: string, prefix: string, options: { email?: boolean } = {}): string {
  const columns = options.email ? [...PUBLIC_COLUMNS, 'email', 'phone'] : PUBLIC_COLUMNS;
  return columns.map((c) => `${alias}.${c} AS ${prefix}_${c}`).join(', ');
}

/** The user selected with `userColumns(alias, prefix)`; without an email column the email and phone are null. */
export function userFromRow(row: Record<string, unknown>, prefix: string): UserFields {
  const column = (name: string) => row[`${prefix}_${name}`];
  return {
    id: String(column('id')),
    email: stringOrNull(column('email')),
    nickname: String(column('nickname')),
    gender: (stringOrNull(column('gender')) ?? undefined) as Gender | undefined,
    birthYear: numberOrNull(column('birth_year')) ?? undefined,
    photoId: stringOrNull(column('photo_id')),
    deletedAt: optionalDateFromColumn(column('deleted_at')),
    createdAt: dateFromColumn(column('created_at')),
    phoneVerifiedAt: optionalDateFromColumn(column('phone_verified_at')),
    phone: stringOrNull(column('phone')),
  };
}
