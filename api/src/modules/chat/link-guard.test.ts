import { MASK, maskContacts, MaskedKind } from './link-guard';

const { LINK, EMAIL, PHONE } = MaskedKind;

describe('maskContacts', () => {
  it.each([
    ['see http://spam.example/promo?id=1 now', `see ${MASK} now`, [LINK]],
    ['https://open.kakao.com/o/abc', MASK, [LINK]],
    ['go to www.x.kr.', `go to ${MASK}.`, [LINK]],
    ['example.com/x and t.me/deals', `${MASK} and ${MASK}`, [LINK]],
    ['(bit.ly/3abc)', `(${MASK})`, [LINK]],
    ['mail me: ana.kim+chat@example.co.kr', `mail me: ${MASK}`, [EMAIL]],
    ['010-1234-5678', MASK, [PHONE]],
    ['01012345678 로 연락', `${MASK} 로 연락`, [PHONE]],
    ['+82 10 1234 5678', MASK, [PHONE]],
    ['+821012345678', MASK, [PHONE]],
    ['02-123-4567', MASK, [PHONE]],
    ['(02) 1234-5678', MASK, [PHONE]],
    ['031-123-4567', MASK, [PHONE]],
    ['010.1234.5678', MASK, [PHONE]],
    ['1588-1234', MASK, [PHONE]],
    ['call +1 415 555 2671 or +44 20 7946 0958', `call ${MASK} or ${MASK}`, [PHONE]],
    ['a@b.com, 010-1111-2222, x.com', `${MASK}, ${MASK}, ${MASK}`, [LINK, EMAIL, PHONE]],
  ])('hides %j', (text, body, kinds) => {
    expect(maskContacts(text)).toEqual({ body, kinds });
  });

  it.each([
    'see you at 12:30',
    '내일 7시 30분, 12:30~13:00',
    'it costs 10,000원 or $15.99',
    'born 1998, 2024-01-15, 20241231',
    'room 1234, code 123456',
    'pi is 3.14159265',
    'ok.so what now',
    'I like node.js and hello.world',
    'e.g. a.m. i.e.',
    'version 2.0.1',
    '@home with friends',
    '5 stars!!! 100%',
  ])('leaves %j as it is', (text) => {
    expect(maskContacts(text)).toEqual({ body: text, kinds: [] });
  });

  it('gives the same result for the same text', () => {
    const text = 'add me kakao.com/abc 010-9999-8888';
    expect(maskContacts(text)).toEqual(maskContacts(text));
  });
});
