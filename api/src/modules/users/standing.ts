/** Why logIn refuses a sanctioned account (`extensions.reason`), and why its sessions ended. */
export enum SanctionKind {
  /** Suspended until a given time. */
  SUSPENDED = 'SUSPENDED',
  /** Banned for good. */
  BANNED = 'BANNED',
}

/** A sanction in force: what, until when (null: for good) and the moderator's note to the user. */
export interface Sanction {
  kind: SanctionKind;
  until: Date | null;
  note: string | null;
}

/** The sanction columns of a user row. */
export interface SanctionColumns {
  bannedAt?: Date | null;
  suspendedUntil?: Date | null;
  sanctionNote?: string | null;
}

/** The sanction in force at `now`, if any: a ban outranks a suspension; a suspension ends by itself. */
export function sanctionAt(user: SanctionColumns, now: Date): Sanction | null {
  const note = user.sanctionNote ?? null;
  if (user.bannedAt) return { kind: SanctionKind.BANNED, until: null, note };
  if (user.suspendedUntil && user.suspendedUntil.getTime() > now.getTime()) {
    return { kind: SanctionKind.SUSPENDED, until: user.suspendedUntil, note };
  }
  return null;
}
