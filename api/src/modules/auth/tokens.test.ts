import { AccessTokens } from './tokens';

const options = { secret: 's'.repeat(48), issuer: 'randchat', audience: 'randchat-api', ttlMs: 60_000 };
const signedAt = Date.parse('2030-01-01T00:00:00Z');

describe('verifying access tokens', () => {
  it('accepts a token again and again until exp plus the 5 s tolerance, then refuses it', () => {
    const tokens = new AccessTokens(options);
    const { token } = tokens.sign('user-1', 'session-1', signedAt);
    expect(tokens.verify(token, signedAt)).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(tokens.verify(token, signedAt + 64_999)).toMatchObject({ sid: 'session-1' });
    expect(tokens.verify(token, signedAt + 65_000)).toBeNull();
    expect(tokens.verify(token, signedAt)).toMatchObject({ sid: 'session-1' });
  });

  it('refuses a token signed with another key, though it has the same claims', () => {
    const ours = new AccessTokens(options);
    const theirs = new AccessTokens({ ...options, secret: 't'.repeat(48) });
    const { token } = theirs.sign('user-1', 'session-1', signedAt);
    expect(theirs.verify(token, signedAt)).not.toBeNull();
    expect(ours.verify(token, signedAt)).toBeNull();
  });

  it('still verifies every token when more are presented than it remembers', () => {
    const tokens = new AccessTokens({ ...options, maxRemembered: 2 });
    const issued = ['a', 'b', 'c'].map((sid) => tokens.sign('user-1', sid, signedAt).token);
    for (const token of [...issued, ...issued]) expect(tokens.verify(token, signedAt)).not.toBeNull();
    expect(tokens.verify(`${issued[0]!}x`, signedAt)).toBeNull();
  });
});
