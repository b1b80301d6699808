// Outgoing mail (password reset and email verification links): the port, and its two adapters
// beside it: SMTP through nodemailer when SMTP_URL is set (mailer-smtp.ts), otherwise an outbox
// table in PostgreSQL plus a log line (mailer-outbox-postgres.ts), so that the embedded defaults
// need no mail server.
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Hands the mail over (to the SMTP server, or into the outbox); rejects when that fails. */
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}
