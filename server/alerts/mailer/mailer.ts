import nodemailer from 'nodemailer';
import type { ComposedEmail } from '../composer/compose';

/** Sends one email; throws when the SMTP server does not accept it. */
export interface Mailer {
  send(to: string, email: ComposedEmail): Promise<void>;
  close(): void;
}

export interface SmtpTimeouts {
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

/**
 * A hung SMTP server must fail a send within minutes (nodemailer's own socket timeout is 10), so the
 * claim is given up and a later run tries again, and the operator's send-now, which may take over a
 * claim older than ABANDONED_CLAIM_MS, never finds a send still under way.
 */
export const SMTP_TIMEOUTS: SmtpTimeouts = {
  connectionTimeout: 60_000,
  greetingTimeout: 60_000,
  socketTimeout: 60_000,
};

/** SMTP through nodemailer. The URL carries the credentials: it is only read here, never logged. */
export function smtpMailer(smtp: { url: string; from: string }, timeouts: SmtpTimeouts = SMTP_TIMEOUTS): Mailer {
  const transport = nodemailer.createTransport({ url: smtp.url, ...timeouts });
  return {
    async send(to, email) {
      await transport.sendMail({ from: smtp.from, to, subject: email.subject, text: email.text, html: email.html });
    },
    close() {
      transport.close();
    },
  };
}
