/**
 * The system notifications of the web app, shared by the page (a tab in the background) and the
 * service worker (a Web Push with no tab open): what the API pushes, and the notification each
 * event becomes. Only plain types here, so that both the DOM and the WebWorker builds compile it.
 */

/** The JSON body of a Web Push from the API (api/src/modules/push/push.payload.ts). */
export interface PushPayload {
  type: 'OFFERED' | 'MESSAGE';
  matchId?: string;
  roomId?: string;
  /** Generic English text, for a client that does not localize. */
  text: string;
  /** MESSAGE only, when the person allowed previews on that device: the body, truncated. */
  preview?: string;
}

/** From the service worker to a page after a tap on a notification: show this path. */
export interface OpenMessage {
  type: 'open';
  path: string;
}

export type NoticeLocale = 'en' | 'ko';

export interface Notice {
  title: string;
  options: { body: string; tag: string; icon: string; badge: string; data: { url: string } };
}

const TEXT = {
  en: {
    offerTitle: 'Someone nearby wants to chat',
    offerBody: 'Open randchat to answer before the offer expires.',
    messageTitle: 'New message',
    messageBody: 'Open randchat to read it.',
  },
  ko: {
    offerTitle: '근처의 누군가가 대화를 원해요',
    offerBody: '제안이 끝나기 전에 randchat을 열어 응답하세요.',
    messageTitle: '새 메시지',
    messageBody: 'randchat을 열어 확인하세요.',
  },
} as const;

/** The longest preview, in characters, the ellipsis included (as the API's pushes). */
export const PREVIEW_LENGTH = 80;

/** The start of a message for a notification; undefined for a message without text (an image). */
export function previewOf(body: string): string | undefined {
  const chars = [...body];
  if (chars.length === 0) return undefined;
  return chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…` : body;
}

/** 'ko' for Korean language tags, else 'en'. */
export const noticeLocale = (tag: string | undefined): NoticeLocale => (tag?.startsWith('ko') ? 'ko' : 'en');

/** Whether an untrusted value (a push's JSON) is a payload this app shows. */
export function isPushPayload(value: unknown): value is PushPayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  if (p.type === 'OFFERED') return typeof p.matchId === 'string';
  if (p.type === 'MESSAGE') return typeof p.roomId === 'string';
  return false;
}

/**
 * The notification for an event: one tag per offer or room (a newer one replaces the older, and
 * the page and a push about the same event show once), and the screen a tap opens.
 */
export function noticeFor(payload: PushPayload, locale: NoticeLocale): Notice {
  const text = TEXT[locale];
  const icons = { icon: '/icons/icon-192.png', badge: '/icons/maskable-192.png' };
  if (payload.type === 'OFFERED')
    return {
      title: text.offerTitle,
      options: { body: text.offerBody, tag: `offer-${payload.matchId}`, ...icons, data: { url: '/' } },
    };
  const roomId = payload.roomId ?? '';
  return {
    title: text.messageTitle,
    options: {
      body: payload.preview ?? text.messageBody,
      tag: `room-${roomId}`,
      ...icons,
      data: { url: `/rooms/${encodeURIComponent(roomId)}` },
    },
  };
}
