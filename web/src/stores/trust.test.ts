import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeServer, GqlError, freshPinia, session } from '../test/fakeApi';
import { useAuthStore } from './auth';
import { useTrustStore } from './trust';

let server: FakeServer;
beforeEach(() => {
  server = new FakeServer();
  freshPinia(server);
});

const POLICY = { phoneVerificationRequired: true, adultAge: 19, maxAdultBirthYear: 2007, linkGuardMessages: 10 };

describe('the trust policy', () => {
  it('is loaded once and kept', async () => {
    server.handlers.TrustPolicy = () => ({ trustPolicy: POLICY });
    const trust = useTrustStore();
    expect(await trust.loadPolicy()).toEqual(POLICY);
    await trust.loadPolicy();
    expect(trust.policy).toEqual(POLICY);
    expect(server.count('TrustPolicy')).toBe(1);
  });
});

describe('phone verification', () => {
  it('sends a code, then verifies it and updates the signed-in user', async () => {
    const auth = useAuthStore();
    auth.setUser(session('u1').user);
    server.handlers.RequestPhoneCode = () => ({ requestPhoneCode: true });
    server.handlers.VerifyPhone = () => ({
      verifyPhone: { ...session('u1').user, phoneVerified: true, maskedPhone: '+82******5678' },
    });
    const trust = useTrustStore();
    await trust.requestPhoneCode('010-1234-5678');
    expect(trust.codeSentTo).toBe('010-1234-5678');
    await trust.verifyPhone('010-1234-5678', '123456');
    expect(server.calls.map((c) => [c.operation, c.variables])).toEqual([
      ['RequestPhoneCode', { phone: '010-1234-5678' }],
      ['VerifyPhone', { phone: '010-1234-5678', code: '123456' }],
    ]);
    expect(auth.user).toMatchObject({ phoneVerified: true, maskedPhone: '+82******5678' });
    expect(trust.codeSentTo).toBeNull();
  });

  it('keeps the step and throws the coded failure for a wrong code', async () => {
    server.handlers.RequestPhoneCode = () => ({ requestPhoneCode: true });
    server.handlers.VerifyPhone = () => {
      throw new GqlError('BAD_USER_INPUT', { field: 'code' });
    };
    const trust = useTrustStore();
    await trust.requestPhoneCode('01012345678');
    await expect(trust.verifyPhone('01012345678', '000000')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(trust.codeSentTo).toBe('01012345678');
    expect(trust.busy).toBe(false);
  });
});
