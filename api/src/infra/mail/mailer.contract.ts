import type { Mail, Mailer } from './mailer.port';

export interface MailerUnderTest {
  mailer: Mailer;
  /** What the other side received so far (the SMTP server, the outbox directory). */
  received(): Promise<Mail[]>;
  cleanup(): Promise<void>;
}

/** One behaviour for every Mailer adapter: what `send` resolved for has arrived, intact. */
export function mailerContract(name: string, create: () => Promise<MailerUnderTest>): void {
  describe(`${name} mailer (contract)`, () => {
    let subject: MailerUnderTest;
    beforeEach(async () => {
      subject = await create();
    });
    afterEach(async () => {
      await subject.mailer.dispose();
      await subject.cleanup();
    });

    it('delivers a mail with its recipient, subject and text once send resolves', async () => {
      await subject.mailer.send({
        to: 'ana@example.test',
        subject: 'Your code',
        text: 'Code: 123456\nValid 10 minutes.',
      });
      const [mail] = await subject.received();
      expect(mail).toMatchObject({ to: 'ana@example.test', subject: 'Your code' });
      expect(mail!.text.trim()).toBe('Code: 123456\nValid 10 minutes.');
    });

    it('keeps non-ASCII text and long lines intact', async () => {
      const text = `안녕하세요 — ${'long line '.repeat(40)}`;
      await subject.mailer.send({
        to: 'min@example.test',
        subject: '비밀번호 재설정',
        text,
        html: '<p>안녕하세요</p>',
      });
      const [mail] = await subject.received();
      expect(mail!.subject).toBe('비밀번호 재설정');
      expect(mail!.text.trim()).toBe(text.trim());
      expect(mail!.html).toContain('안녕하세요');
    });

    it('delivers two sends as two mails', async () => {
      await subject.mailer.send({ to: 'a@example.test', subject: 'one', text: '1' });
      await subject.mailer.send({ to: 'a@example.test', subject: 'one', text: '1' });
      expect(await subject.received()).toHaveLength(2);
    });
  });
}
