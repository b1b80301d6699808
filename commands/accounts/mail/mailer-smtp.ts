import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.js';

/** Mail through the SMTP server of `url` (smtp://user:pass@host:587, or smtps:// for TLS from the start). */
export const createSmtpMailer = (url: string, from: string): Mailer => {
  const transport = nodemailer.createTransport(url);
  return {
    async send({ to, subject, text }) {
      await transport.sendMail({ from, to, subject, text });
    },
    async close() {
      transport.close();
    },
  };
};
