import type { SessionEndReason } from './session-end-reason';

/** Published on the pub/sub port when sessions end, so every instance closes their sockets (4401). */
export const SESSION_REVOKED_TOPIC = 'auth:session-revoked';

export interface SessionRevokedEvent {
  /** The ended login sessions (refresh-token families). */
  sessionIds: string[];
  reason: SessionEndReason;
}
