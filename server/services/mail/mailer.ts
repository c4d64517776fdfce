// Sends the product's own mail (password resets, address verification). With SMTP_URL: nodemailer over SMTP.
// Without it: the dev outbox outside production (the log, and a list owners can read), nothing in production.
import { createTransport, type Transporter } from 'nodemailer'
import { recordDevMail } from './outbox'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
  /** What kind of mail, for log lines that must not carry the content (it holds links with tokens). */
  kind: string
}

export interface MailSettings { smtpUrl?: string, from: string, devOutbox: boolean }

export interface Mailer { send: (message: MailMessage) => Promise<void> }

type Log = Pick<Console, 'info' | 'warn'>

export function createMailer(settings: MailSettings, log: Log = console): Mailer {
  if (settings.smtpUrl) {
    const transport: Transporter = createTransport(settings.smtpUrl, { from: settings.from })
    return {
      async send(message) {
        await transport.sendMail({ to: message.to, subject: message.subject, text: message.text, html: message.html })
      },
    }
  }
  if (settings.devOutbox) {
    return {
      async send(message) {
        recordDevMail({ ...message, from: settings.from })
        log.info(`[mail] dev outbox (no SMTP_URL): ${message.kind} to ${message.to}\nSubject: ${message.subject}\n\n${message.text}`)
      },
    }
  }
  return {
    async send(message) {
      log.warn(`[mail] a ${message.kind} mail was not sent: set SMTP_URL and MAIL_FROM to send mail in production.`)
    },
  }
}
