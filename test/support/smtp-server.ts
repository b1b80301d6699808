import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  /** The message as received (headers and body), quoted-printable soft breaks undone. */
  text: string;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** The first mail to `to` received after `after` mails, waited for (no timing: it resolves when it lands). */
  mailTo(to: string, after?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

// Undoes quoted-printable (RFC 2045): nodemailer wraps long lines, and links are long.
const decodeQuotedPrintable = (text: string) => text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** A real SMTP server on a free loopback port, keeping what it receives (no TLS, no auth: loopback only). */
export const startTestSmtpServer = async (): Promise<TestSmtpServer> => {
  const received: ReceivedMail[] = [];
  const listeners = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()), text: decodeQuotedPrintable(Buffer.concat(chunks).toString('utf8')) });
        for (const listener of listeners) listener();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const find = (to: string, after: number) => received.slice(after).find((mail) => mail.to.includes(to.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    mailTo: (to, after = 0) =>
      new Promise((resolve) => {
        const check = () => {
          const mail = find(to, after);
          if (!mail) return;
          listeners.delete(check);
          resolve(mail);
        };
        listeners.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The token a reset or verification mail carries ("token: ..."). */
export const tokenIn = (text: string): string => {
  const match = /token: ([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no token in the mail:\n${text}`);
  return match[1]!;
};
