import { describe, expect, it } from '@jest/globals';
import { isPushPayload, noticeFor, noticeLocale, previewOf, PREVIEW_LENGTH } from '../../sw/notice';
import { deviceLabel } from './push-device';

describe('notifications', () => {
  it('makes one notification per offer and per room, opening the match screen or the room', () => {
    expect(noticeFor({ type: 'OFFERED', matchId: 'm1', text: '' }, 'en')).toEqual({
      title: 'Someone nearby wants to chat',
      options: expect.objectContaining({ tag: 'offer-m1', data: { url: '/' } }),
    });
    const message = noticeFor({ type: 'MESSAGE', roomId: 'r/1', text: '' }, 'ko');
    expect(message.title).toBe('새 메시지');
    expect(message.options).toMatchObject({
      body: 'randchat을 열어 확인하세요.',
      tag: 'room-r/1',
      data: { url: '/rooms/r%2F1' },
    });
    expect(noticeFor({ type: 'MESSAGE', roomId: 'r1', text: '', preview: 'hi' }, 'en').options.body).toBe('hi');
  });

  it('accepts only the payloads the API sends', () => {
    expect(isPushPayload({ type: 'OFFERED', matchId: 'm', text: '' })).toBe(true);
    expect(isPushPayload({ type: 'MESSAGE', roomId: 'r', text: '' })).toBe(true);
    expect(isPushPayload({ type: 'MESSAGE', text: '' })).toBe(false);
    expect(isPushPayload({ type: 'OTHER', matchId: 'm' })).toBe(false);
    expect(isPushPayload('OFFERED')).toBe(false);
    expect(isPushPayload(null)).toBe(false);
  });

  it('previews at most PREVIEW_LENGTH characters, counting Korean and emoji as one each', () => {
    expect(previewOf('')).toBeUndefined();
    expect(previewOf('hello')).toBe('hello');
    const long = '가'.repeat(PREVIEW_LENGTH + 5);
    expect([...previewOf(long)!]).toHaveLength(PREVIEW_LENGTH);
    expect(previewOf(long)!.endsWith('…')).toBe(true);
    expect([...previewOf('😀'.repeat(PREVIEW_LENGTH))!]).toHaveLength(PREVIEW_LENGTH);
  });

  it('picks the notification language and a device label from the browser', () => {
    expect(noticeLocale('ko-KR')).toBe('ko');
    expect(noticeLocale('en-GB')).toBe('en');
    expect(noticeLocale(undefined)).toBe('en');
    expect(
      deviceLabel(
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
      ),
    ).toBe('Android · Chrome');
    expect(
      deviceLabel(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1',
      ),
    ).toBe('iPhone · Safari');
  });
});
