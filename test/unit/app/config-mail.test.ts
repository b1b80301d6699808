import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../../app/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadSettings(env, []);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe('mail configuration', () => {
  it('takes SMTP_URL (smtp:// or smtps://), MAIL_FROM and the link lifetimes as a group', () => {
    const { mail } = loadSettings({ SMTP_URL: 'smtps://user:secret@mail.example.com:465', MAIL_FROM: 'accounts@example.com', PASSWORD_RESET_TTL: '15m', EMAIL_VERIFICATION_TTL: '7d' }, []);
    expect(mail).toEqual({ smtpUrl: 'smtps://user:secret@mail.example.com:465', from: 'accounts@example.com', resetTtlMs: 15 * 60_000, verificationTtlMs: 7 * 86_400_000 });
  });

  it('refuses an SMTP_URL of another scheme and a lifetime that is no duration, naming the variable', () => {
    expect(problemsOf({ SMTP_URL: 'http://mail.example.com' })).toEqual([expect.stringMatching(/^SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/)]);
    expect(problemsOf({ PASSWORD_RESET_TTL: 'soon' })).toEqual([expect.stringMatching(/^PASSWORD_RESET_TTL: /)]);
  });
});
