// The dev outbox: the last mails this process would have sent, for a developer without a mail server.
// Only filled when no SMTP_URL is set outside production (see mailer.ts), so tokens never sit here in production.
import type { PrismaClient } from '../../generated/prisma/client'
import type { DevMail } from '#shared/mail'

const KEEP = 50
const mails: DevMail[] = []
let nextId = 1

export function recordDevMail(mail: Omit<DevMail, 'id' | 'sentAt'>): void {
  mails.unshift({ id: nextId++, to: mail.to, from: mail.from, subject: mail.subject, text: mail.text, kind: mail.kind, sentAt: new Date().toISOString() })
  mails.length = Math.min(mails.length, KEEP)
}

/** The mails to any of `addresses`, newest first. */
export function listDevMails(addresses: Iterable<string>): DevMail[] {
  const wanted = new Set([...addresses].map(address => address.toLowerCase()))
  return mails.filter(mail => wanted.has(mail.to.toLowerCase()))
}

/** What a workspace's owner may read: mail to its members and to the addresses it has open invites for. */
export async function devOutboxFor(db: PrismaClient, workspaceId: string): Promise<DevMail[]> {
  const [members, invites] = await Promise.all([
    db.membership.findMany({ where: { workspaceId }, select: { user: { select: { email: true } } } }),
    db.invite.findMany({ where: { workspaceId, email: { not: null }, acceptedAt: null, revokedAt: null }, select: { email: true } }),
  ])
  return listDevMails([...members.map(member => member.user.email), ...invites.map(invite => invite.email!)])
}
