import type { Gender } from '../users/gender';
import { toUserObject, type UserFields, type UserObject } from '../users/user.types';

/**
 * What an offer shows of the partner (plain JSON, dates as strings): read when the partner asked
 * for a match, kept in the queue beside their search, and carried by the OFFERED payload, so that
 * no offer waits on a database read. It is as fresh as the partner's last `requestMatch`.
 */
export interface PartnerProfile {
  id: string;
  nickname: string;
  gender: Gender | null;
  birthYear: number | null;
  photoId: string | null;
  createdAt: string;
  deletedAt: string | null;
}

/** The fields of `user` that `toUserObject` shows to someone else (never the email). */
export function toPartnerProfile(user: UserFields): PartnerProfile {
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

/** Reads a profile back from the queue's opaque text; undefined when there is none. */
export function parsePartnerProfile(text: string | undefined): PartnerProfile | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as PartnerProfile).id === 'string'
      ? (value as PartnerProfile)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The GraphQL view of the profile, as `toUserObject` shows the user it was read from to `viewerId`. */
export function toPartnerObject(profile: PartnerProfile, viewerId: string): UserObject {
  // Without an email nothing private can show.
  const user: UserFields = {
    id: profile.id,
    email: null,
    nickname: profile.nickname,
    gender: profile.gender ?? undefined,
    birthYear: profile.birthYear ?? undefined,
    photoId: profile.photoId,
    createdAt: new Date(profile.createdAt),
    deletedAt: profile.deletedAt === null ? null : new Date(profile.deletedAt),
  };
  return toUserObject(user, viewerId);
}
