// The product's mails, as plain text with a simple HTML twin. Every link is absolute, built from APP_URL.
import type { MailMessage } from './mailer'

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}

function render(kind: string, to: string, subject: string, paragraphs: string[], link: { url: string, label: string }, footer: string): MailMessage {
  const text = [...paragraphs, link.url, footer].join('\n\n')
  const html = [
    ...paragraphs.map(paragraph => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    `<p style="color:#666">${escapeHtml(footer)}</p>`,
  ].join('\n')
  return { kind, to, subject, text, html }
}

export function passwordResetMail(to: string, url: string, validMinutes: number): MailMessage {
  return render('password_reset', to, 'Reset your Reelwise password', [
    'Someone (we hope you) asked to reset the password of your Reelwise account.',
    `Open this link within ${validMinutes} minutes to choose a new password. It works once, and signs you out on every device.`,
  ], { url, label: 'Choose a new password' }, 'If you did not ask for this, ignore this mail: your password stays as it is.')
}

export function verificationMail(to: string, url: string, validHours: number): MailMessage {
  return render('email_verification', to, 'Confirm your e-mail address for Reelwise', [
    'Please confirm that this is your address, so that your team can invite you by it and you can reset your password.',
    `The link works once, within ${validHours} hours.`,
  ], { url, label: 'Confirm my address' }, 'If you did not create a Reelwise account, ignore this mail.')
}

/** A notification about a post (waiting for approval, approved, sent back, published, failed), with a link into the app. */
export function notificationMail(kind: string, to: string, subject: string, paragraphs: string[], link: { url: string, label: string }): MailMessage {
  return render(kind, to, subject, paragraphs, link, 'You get this because you are a member of this Reelwise workspace.')
}
