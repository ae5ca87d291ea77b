import type { Mail } from '../../infra/mail/mailer.port';

/** Account mails, in Korean and English (the product's first users are Korean). Never a password. */
export const accountMails = {
  signUpCode(to: string, code: string, ttlMinutes: number): Mail {
    return {
      to,
      subject: `randchat 인증 코드 / verification code: ${code}`,
      text: [
        `randchat 가입 인증 코드: ${code}`,
        `${ttlMinutes}분 동안 유효합니다. 요청하지 않았다면 이 메일을 무시하세요.`,
        '',
        `Your randchat sign-up code: ${code}`,
        `It is valid for ${ttlMinutes} minutes. If you did not ask for it, ignore this mail.`,
      ].join('\n'),
    };
  },

  alreadyRegistered(to: string, resetUrl: string): Mail {
    return {
      to,
      subject: 'randchat: 이미 가입된 이메일 / you already have an account',
      text: [
        '이 주소로 randchat 가입이 요청되었지만 이미 계정이 있습니다. 로그인하거나 비밀번호를 재설정하세요:',
        resetUrl,
        '',
        'Someone asked to sign up to randchat with this address, which already has an account.',
        `Log in, or reset your password here: ${resetUrl}`,
        'If it was not you, you can ignore this mail.',
      ].join('\n'),
    };
  },

  passwordReset(to: string, link: string, token: string, ttlMinutes: number): Mail {
    return {
      to,
      subject: 'randchat 비밀번호 재설정 / password reset',
      text: [
        `비밀번호를 재설정하려면 ${ttlMinutes}분 안에 이 링크를 여세요 (한 번만 사용 가능):`,
        link,
        '',
        `To choose a new password, open this link within ${ttlMinutes} minutes (it works once):`,
        link,
        '',
        `Reset token: ${token}`,
        '요청하지 않았다면 이 메일을 무시하세요. / If you did not ask for this, ignore this mail.',
      ].join('\n'),
    };
  },

  accountLocked(to: string, code: string, ttlMinutes: number): Mail {
    return {
      to,
      subject: `randchat 계정 잠금 해제 코드 / unlock code: ${code}`,
      text: [
        `로그인 실패가 반복되어 계정이 잠겼습니다. 잠금 해제 코드: ${code} (${ttlMinutes}분 유효)`,
        '본인이 아니라면 잠금 해제 후 비밀번호를 바꾸세요.',
        '',
        `Your account was locked after repeated failed logins. Unlock code: ${code} (valid ${ttlMinutes} minutes).`,
        'If it was not you, change your password after unlocking.',
      ].join('\n'),
    };
  },

  passwordChanged(to: string): Mail {
    return {
      to,
      subject: 'randchat 비밀번호 변경됨 / your password was changed',
      text: [
        '비밀번호가 변경되었고 다른 모든 기기에서 로그아웃되었습니다. 본인이 아니라면 즉시 비밀번호를 재설정하세요.',
        '',
        'Your password was changed and every other session was logged out. If it was not you, reset your password now.',
      ].join('\n'),
    };
  },
};
