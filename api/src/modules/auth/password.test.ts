import { PasswordHasher } from './password';

describe('PasswordHasher', () => {
  it('hashes with the OWASP scrypt parameters and stores them with the hash', async () => {
    const hasher = new PasswordHasher({ logN: 17, r: 8, p: 1 });
    const stored = await hasher.hash('correct horse battery');
    expect(stored).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
    expect(await hasher.verify('correct horse batterY', stored)).toBe(false);
    expect(stored).not.toContain('correct horse battery');
  });

  it('verifies hashes made with other parameters and asks to upgrade weaker ones', async () => {
    const weak = new PasswordHasher({ logN: 10, r: 8, p: 1 });
    const strong = new PasswordHasher({ logN: 12, r: 8, p: 1 });
    const stored = await weak.hash('pässwörd ﬁne');
    expect(await strong.verify('pässwörd ﬁne', stored)).toBe(true);
    expect(strong.needsRehash(stored)).toBe(true);
    expect(strong.needsRehash(await strong.hash('x'))).toBe(false);
  });

  it('rejects unknown accounts and malformed hashes without throwing', async () => {
    const hasher = new PasswordHasher({ logN: 10, r: 8, p: 1 });
    expect(await hasher.verify('anything', null)).toBe(false);
    expect(await hasher.verify('anything', 'bcrypt$2b$10$abc')).toBe(false);
  });
});
