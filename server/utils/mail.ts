import { createMailer, type Mailer, type MailMessage } from '../services/mail/mailer'

let mailer: Mailer | undefined

/** The one mailer of this process: SMTP, the dev outbox, or nothing (see server/services/mail/mailer.ts). */
export function useMailer(): Mailer {
  mailer ??= createMailer(useServerConfig().mail)
  return mailer
}

/**
 * Sends without making the request wait, so asking for a reset answers as fast for an address with an account as
 * for one without. A failure is logged without the mail's content, which holds a link with a token.
 */
export function deliverMail(message: MailMessage): void {
  useMailer().send(message).catch((error: Error) => console.error(`[mail] could not send a ${message.kind} mail: ${error.message}`))
}

/** Absolute links for mail, built from APP_URL. */
export function appLink(path: string): string {
  return new URL(path, useServerConfig().appUrl).toString()
}
