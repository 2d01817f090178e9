import nodemailer from 'nodemailer';
import type { ComposedEmail } from '../composer/compose';

/** Sends one email; throws when the SMTP server does not accept it. */
export interface Mailer {
  send(to: string, email: ComposedEmail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer. The URL carries the credentials: it is only read here, never logged. */
export function smtpMailer(smtp: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(smtp.url);
  return {
    async send(to, email) {
      await transport.sendMail({ from: smtp.from, to, subject: email.subject, text: email.text, html: email.html });
    },
    close() {
      transport.close();
    },
  };
}
