// Connecting an account: the OAuth round trip (state and PKCE kept server-side, hashed and encrypted), the code
// exchange, and, when one login owns several channels or Pages, the creator's choice. Tokens are encrypted before they
// touch a row and never leave the server.
import { createHash } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import type { AccountChoice } from '#shared/accounts'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { ServiceError, forbidden, notFound } from '../errors'
import { firstAccountMetricsPull } from '../metrics/schedule'
import type { ConnectableAccount, PlatformApp } from '../platforms/connector'
import { connectors } from '../platforms'
import { readCapabilities } from './capabilities'
import type { SecretBox } from '../security/secrets'

/** How long a creator has to go through the platform's consent screen and choose an account. */
const FLOW_MINUTES = 15

const hashState = (state: string) => createHash('sha256').update(state).digest('base64url')

const expiredFlow = () => new ServiceError(410, 'This connection request expired or was already used. Start again from Accounts.', { reason: 'flow-expired' })

interface Actor { workspaceId: string, userId: string }

/** Starts a connection: the URL of the platform's consent screen. */
export async function startConnect(db: PrismaClient, box: SecretBox, actor: Actor, platform: PlatformKey, app: PlatformApp, returnTo: string): Promise<{ url: string }> {
  const connector = connectors[platform]
  const state = oauth.generateRandomState()
  const verifier = connector.usesPkce ? oauth.generateRandomCodeVerifier() : undefined
  const url = connector.authorizeUrl(app, { state, codeChallenge: verifier && await oauth.calculatePKCECodeChallenge(verifier) })
  await db.oAuthFlow.deleteMany({ where: { expiresAt: { lt: new Date() } } })
  await db.oAuthFlow.create({
    data: {
      ...actor, platform, returnTo, stateHash: hashState(state), codeVerifierEnc: verifier ? box.encrypt(verifier) : null,
      expiresAt: new Date(Date.now() + FLOW_MINUTES * 60_000),
    },
  })
  return { url }
}

export type ConnectOutcome
  = | { outcome: 'connected', accountIds: string[] }
    | { outcome: 'choose', flowId: string }

/** The platform sent the creator back: exchange the code, then connect the only account or ask which. */
export async function finishConnect(
  db: PrismaClient, box: SecretBox, userId: string, platform: PlatformKey, appOf: () => PlatformApp,
  reply: { state: string, code?: string, error?: string, errorDescription?: string },
): Promise<ConnectOutcome & { workspaceId: string, returnTo: string }> {
  const flow = await db.oAuthFlow.findUnique({ where: { stateHash: hashState(reply.state) } })
  if (!flow || flow.platform !== platform || flow.expiresAt < new Date() || flow.choicesEnc) throw expiredFlow()
  if (flow.userId !== userId) throw forbidden('This connection was started by another person. Start it again from your own Accounts page.')
  // One use: a replayed redirect finds nothing.
  await db.oAuthFlow.update({ where: { id: flow.id }, data: { stateHash: `used:${flow.id}` } })
  const name = platformNames[platform]
  if (reply.error || !reply.code) {
    await db.oAuthFlow.delete({ where: { id: flow.id } })
    const said = reply.errorDescription ?? reply.error ?? 'no code came back'
    throw new ServiceError(400, `${name} did not connect (${said.slice(0, 200)}). Nothing was saved; try again when you are ready.`, { reason: 'platform-refused' })
  }
  const connector = connectors[platform]
  const app = appOf()
  const tokens = await connector.exchangeCode(app, { code: reply.code, codeVerifier: flow.codeVerifierEnc ? box.decrypt(flow.codeVerifierEnc) : undefined })
  const found = await connector.accounts(app, tokens)
  if (!found.length) {
    await db.oAuthFlow.delete({ where: { id: flow.id } })
    throw new ServiceError(400, `That ${name} login has nothing Reelwise can publish to. Check you signed in with the right account, then try again.`, { reason: 'no-accounts' })
  }
  const actor = { workspaceId: flow.workspaceId, userId }
  if (found.length === 1) {
    const id = await saveAccount(db, box, actor, platform, found[0]!)
    await db.oAuthFlow.delete({ where: { id: flow.id } })
    await noteCapabilities(db, box, actor.workspaceId, [id], () => app)
    return { outcome: 'connected', accountIds: [id], workspaceId: flow.workspaceId, returnTo: flow.returnTo }
  }
  await db.oAuthFlow.update({
    where: { id: flow.id },
    data: { choicesEnc: box.encrypt(JSON.stringify(found)), expiresAt: new Date(Date.now() + FLOW_MINUTES * 60_000) },
  })
  return { outcome: 'choose', flowId: flow.id, workspaceId: flow.workspaceId, returnTo: flow.returnTo }
}

async function pendingChoices(db: PrismaClient, box: SecretBox, actor: Actor, flowId: string) {
  const flow = await db.oAuthFlow.findFirst({ where: { id: flowId, workspaceId: actor.workspaceId } })
  if (!flow) throw notFound('That connection request')
  if (!flow.choicesEnc || flow.expiresAt < new Date()) throw expiredFlow()
  if (flow.userId !== actor.userId) throw forbidden('This connection was started by another person.')
  const accounts = (JSON.parse(box.decrypt(flow.choicesEnc)) as ConnectableAccount[]).map(account => ({
    ...account, tokens: { ...account.tokens, expiresAt: account.tokens.expiresAt && new Date(account.tokens.expiresAt) },
  }))
  return { flow, accounts }
}

/** The accounts a login owns, for the creator to choose from: names and pictures only. */
export async function listChoices(db: PrismaClient, box: SecretBox, actor: Actor, flowId: string): Promise<{ platform: PlatformKey, choices: AccountChoice[] }> {
  const { flow, accounts } = await pendingChoices(db, box, actor, flowId)
  const connected = await db.socialAccount.findMany({
    where: { workspaceId: actor.workspaceId, platform: flow.platform, externalId: { in: accounts.map(account => account.externalId) }, status: 'active' },
    select: { externalId: true },
  })
  const already = new Set(connected.map(row => row.externalId))
  return {
    platform: flow.platform,
    choices: accounts.map(account => ({
      externalId: account.externalId, handle: account.handle ?? null, displayName: account.displayName ?? null,
      avatarUrl: account.avatarUrl ?? null, connected: already.has(account.externalId),
    })),
  }
}

/** Connects the chosen accounts of a login; the others are forgotten with their tokens. */
export async function chooseAccounts(db: PrismaClient, box: SecretBox, actor: Actor, flowId: string, externalIds: string[], app?: (platform: PlatformKey) => PlatformApp): Promise<string[]> {
  const { flow, accounts } = await pendingChoices(db, box, actor, flowId)
  const chosen = accounts.filter(account => externalIds.includes(account.externalId))
  if (!chosen.length) throw new ServiceError(400, 'Choose at least one account to connect.')
  const ids: string[] = []
  for (const account of chosen) ids.push(await saveAccount(db, box, actor, flow.platform, account))
  // The unchosen accounts' tokens go now; the emptied flow stays until it expires, so a second visit reads "already used".
  await db.oAuthFlow.update({ where: { id: flow.id }, data: { choicesEnc: null } })
  if (app) await noteCapabilities(db, box, actor.workspaceId, ids, app)
  return ids
}

/**
 * What the platform allows this app with the new accounts (an unverified project uploads private), read once at
 * connect so the Accounts page can say it before the first publish. A failure here is not the connection's: it is
 * read again when publishing.
 */
async function noteCapabilities(db: PrismaClient, box: SecretBox, workspaceId: string, ids: string[], app: (platform: PlatformKey) => PlatformApp): Promise<void> {
  for (const id of ids) {
    const account = await db.socialAccount.findUniqueOrThrow({ where: { id }, select: { platform: true } })
    await readCapabilities(db, box, workspaceId, id, () => app(account.platform)).catch(() => undefined)
  }
}

/** Creates the account, or brings a disconnected or expired one back with fresh tokens: its posts and numbers stay. */
async function saveAccount(db: PrismaClient, box: SecretBox, actor: Actor, platform: PlatformKey, account: ConnectableAccount): Promise<string> {
  const { tokens } = account
  const fields = {
    handle: account.handle ?? null, displayName: account.displayName ?? null, avatarUrl: account.avatarUrl ?? null,
    accessTokenEnc: box.encrypt(tokens.accessToken),
    tokenExpiresAt: tokens.expiresAt ?? null, refreshExpiresAt: tokens.refreshExpiresAt ?? null, scopes: tokens.scopes,
    status: 'active' as const, lastError: null, lastErrorAt: null, failureCount: 0, lastRefreshedAt: new Date(),
    metadata: account.metadata as Prisma.InputJsonValue, connectedById: actor.userId,
  }
  const refresh = tokens.refreshToken ? { refreshTokenEnc: box.encrypt(tokens.refreshToken) } : {}
  const row = await db.socialAccount.upsert({
    where: { workspaceId_platform_externalId: { workspaceId: actor.workspaceId, platform, externalId: account.externalId } },
    // Its follower count is first read an hour after connecting, as a post's first pull, then daily (metrics.sweep).
    create: { workspaceId: actor.workspaceId, platform, externalId: account.externalId, ...fields, ...refresh, accountMetricsDueAt: firstAccountMetricsPull(new Date()) },
    // A reconnect whose reply has no refresh token keeps the one stored (Google leaves it out on a second consent).
    update: { ...fields, ...refresh },
    select: { id: true },
  })
  await recordAudit(db, {
    action: 'account.connected', workspaceId: actor.workspaceId, actorId: actor.userId, targetType: 'social_account', targetId: row.id,
    metadata: { platform, handle: account.handle ?? account.displayName ?? null },
  })
  return row.id
}
