import type { Gender } from './gender';
import type { UserFields } from './user.row';
import { toUserObject, type UserObject } from './user.types';

/**
 * A user as events carry them (plain JSON, dates as strings, never the email): e.g. matching keeps
 * it beside a search and sends it with the OFFERED event, so that no offer waits on a database read.
 */
export interface UserPayload {
  id: string;
  nickname: string;
  gender: Gender | null;
  birthYear: number | null;
  photoId: string | null;
  createdAt: string;
  deletedAt: string | null;
}

/** The fields of `user` that `toUserObject` shows to someone else (never the email). */
export function toUserPayload(user: UserFields): UserPayload {
  return {
    id: user.id,
    nickname: user.nickname,
    gender: user.gender ?? null,
    birthYear: user.birthYear ?? null,
    photoId: user.photoId ?? null,
    createdAt: user.createdAt.toISOString(),
    deletedAt: user.deletedAt?.toISOString() ?? null,
  };
}

/** Reads a payload back from opaque JSON text (e.g. kept in a queue); undefined when there is none. */
export function parseUserPayload(text: string | undefined): UserPayload | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as UserPayload).id === 'string'
      ? (value as UserPayload)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The user the payload was read from, without the email and phone (they never travel in events). */
export function userFromPayload(profile: UserPayload): UserFields {
  return {
    id: profile.id,
    email: null,
    nickname: profile.nickname,
    gender: profile.gender ?? undefined,
    birthYear: profile.birthYear ?? undefined,
    photoId: profile.photoId,
    createdAt: new Date(profile.createdAt),
    deletedAt: profile.deletedAt === null ? null : new Date(profile.deletedAt),
    phoneVerifiedAt: null,
  };
}

/** The GraphQL view of the payload, as `toUserObject` shows the user it was read from to `viewerId`. */
export function userObjectFromPayload(profile: UserPayload, viewerId: string): UserObject {
  // Without an email nothing private can show.
  return toUserObject(userFromPayload(profile), viewerId);
}
