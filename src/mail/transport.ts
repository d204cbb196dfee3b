import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config/config-schema.ts';
import { resolveSecret } from '../config/secrets.ts';
import type { RenderedMail } from './templates.ts';

// Where mail goes: an SMTP server (nodemailer, pooled connections) or, with no SMTP configured,
// one .eml file per mail under DATA_DIR/mail, which any mail client opens.

export interface MailTransport {
  send(mail: { id: string; to: string; from: string } & RenderedMail): Promise<void>;
  close(): void;
}

export function createMailTransport(config: Config): MailTransport {
  const smtp = config.mail.smtp;
  if (!smtp) return emlTransport(path.join(config.database.dataDir, 'mail'));
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    pool: true,
    maxConnections: 4,
    ...(smtp.user && {
      auth: { user: smtp.user, pass: smtp.password ? resolveSecret(smtp.password) : '' },
    }),
  });
  return {
    async send(mail) {
      await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@provisiond>`,
      });
    },
    close: () => transporter.close(),
  };
}

function emlTransport(directory: string): MailTransport {
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    async send(mail) {
      const info = await composer.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@provisiond>`,
      });
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(directory, `${mail.id}.eml`), info.message as Buffer, {
        mode: 0o600,
      });
    },
    close: () => undefined,
  };
}
