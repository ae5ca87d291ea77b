import type { Sms, SmsSender } from './sms.port';

export interface SmsSenderUnderTest {
  sender: SmsSender;
  /** What the other side received so far, oldest first (the gateway, the outbox directory). */
  received(): Promise<Sms[]>;
  cleanup(): Promise<void>;
}

/** One behaviour for every SmsSender adapter: what `send` resolved for has arrived, intact. */
export function smsContract(name: string, create: () => Promise<SmsSenderUnderTest>): void {
  describe(`${name} SMS sender (contract)`, () => {
    let subject: SmsSenderUnderTest;
    beforeEach(async () => {
      subject = await create();
    });
    afterEach(async () => {
      await subject.sender.dispose();
      await subject.cleanup();
    });

    it('delivers a message to its number with its text once send resolves', async () => {
      await subject.sender.send({ to: '+821012345678', text: 'code 123456' });
      expect(await subject.received()).toEqual([{ to: '+821012345678', text: 'code 123456' }]);
    });

    it('keeps Korean text and symbols intact', async () => {
      const text = '[randchat] 인증번호 654321 (5분 유효) / code 654321 — "ok" & <done>';
      await subject.sender.send({ to: '+14155552671', text });
      expect(await subject.received()).toEqual([{ to: '+14155552671', text }]);
    });

    it('delivers two sends as two messages, in order', async () => {
      await subject.sender.send({ to: '+821011112222', text: 'one' });
      await subject.sender.send({ to: '+821011112222', text: 'two' });
      expect((await subject.received()).map((m) => m.text)).toEqual(['one', 'two']);
    });
  });
}
