/**
 * What a Web Push carries (JSON, encrypted for the device): the event, the ids the app opens, and
 * generic text. Never a coordinate, a distance or a name; a message's text only as a preview, on a
 * device whose owner allowed previews. The web app's service worker reads it (web/sw/notice.ts).
 */
export interface PushPayload {
  type: 'OFFERED' | 'MESSAGE';
  matchId?: string;
  roomId?: string;
  /** Generic English text, for a client that does not localize. */
  text: string;
  /** MESSAGE on a device with previews allowed: the body, at most PREVIEW_LENGTH characters. */
  preview?: string;
}

/** The longest preview, in characters (code points), the ellipsis included. */
export const PREVIEW_LENGTH = 80;

export const offerPayload = (matchId: string): PushPayload => ({
  type: 'OFFERED',
  matchId,
  text: 'Someone nearby wants to chat',
});

export function messagePayload(roomId: string, body: string, previews: boolean): PushPayload {
  const payload: PushPayload = { type: 'MESSAGE', roomId, text: 'New message' };
  const chars = [...body];
  // An image without text has nothing to preview.
  if (!previews || chars.length === 0) return payload;
  const preview = chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…` : body;
  return { ...payload, preview };
}
