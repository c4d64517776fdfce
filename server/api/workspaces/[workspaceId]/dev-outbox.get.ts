import { devOutboxFor } from '../../../services/mail/outbox'

// Development without SMTP_URL only: the mail this install would have sent to the workspace's people.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'owners.manage')
  if (!useServerConfig().mail.devOutbox) throw createError({ status: 404, statusText: 'There is no dev outbox here: mail goes out through the server in SMTP_URL, and production never keeps one.' })
  return { mails: await devOutboxFor(useDb(), workspaceId) }
})
