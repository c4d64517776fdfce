// What a platform lets this app do with an account now (TikTok's creator_info: privacy options, longest video; an
// unaudited app's private-only rule), read live for the publish form. Its notices are kept on the account, so the
// Accounts page shows them without asking the platform again.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'
import { connectors } from '../platforms'
import type { AccountCapabilities, PlatformApp } from '../platforms/connector'
import { withAccountToken } from '../platforms/tokens'
import type { SecretBox } from '../security/secrets'

export async function readCapabilities(
  db: PrismaClient, box: SecretBox, workspaceId: string, accountId: string, app: (platform: keyof typeof connectors) => PlatformApp,
): Promise<AccountCapabilities> {
  const account = await db.socialAccount.findFirst({ where: { id: accountId, workspaceId, status: 'active' } })
  if (!account) throw notFound('That connected account')
  const connector = connectors[account.platform]
  const capabilities = await withAccountToken(db, box, connector, app(account.platform), account.id, context => connector.capabilities(context))
  const metadata = { ...(account.metadata as Record<string, unknown>), notices: capabilities.notices }
  await db.socialAccount.update({ where: { id: account.id }, data: { metadata: metadata as Prisma.InputJsonValue } })
  return capabilities
}
