// Connected accounts on the loopback platforms, as rows the posts jobs publish from (tokens encrypted as the app
// stores them), and a finished render in a media store: shared by test/integration/posts-decisions.test.ts and
// bench/publish.ts. The tokens are ones each fake issued, so every call is checked as the platform would check it.
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import type { PlatformKey } from '#shared/platforms/keys'
import type { Prisma, PrismaClient } from '../../server/generated/prisma/client'
import type { MediaStore } from '../../server/services/media/storage/types'
import type { PlatformApp } from '../../server/services/platforms/connector'
import { tiktokConnector } from '../../server/services/platforms/tiktok'
import type { SecretBox } from '../../server/services/security/secrets'
import type { FakeMeta } from './fake-meta'
import { newToken } from './fake-meta-wire'
import type { FakeTiktok } from './fake-tiktok'
import type { FakeYoutube } from './fake-youtube'

export interface AccountRow { id: string, accessToken: string }

interface Row { platform: PlatformKey, externalId: string, displayName: string, accessToken: string, refreshToken?: string, scopes: string[], metadata?: Record<string, unknown> }

async function insertAccount(db: PrismaClient, box: SecretBox, workspaceId: string, row: Row): Promise<AccountRow> {
  const created = await db.socialAccount.create({
    data: {
      workspaceId, platform: row.platform, externalId: row.externalId, displayName: row.displayName,
      accessTokenEnc: box.encrypt(row.accessToken), refreshTokenEnc: row.refreshToken ? box.encrypt(row.refreshToken) : null,
      tokenExpiresAt: new Date(Date.now() + 3_600_000), scopes: row.scopes, metadata: (row.metadata ?? {}) as Prisma.InputJsonValue,
    },
  })
  return { id: created.id, accessToken: row.accessToken }
}

// `number` > 0 makes another account of the same platform in the workspace (its own id and token), so a bench can
// spread posts over accounts and stay within each one's platform limits.

/** A YouTube channel whose access token the fake accepts. */
export async function youtubeAccount(db: PrismaClient, box: SecretBox, workspaceId: string, fake: FakeYoutube, number = 0): Promise<AccountRow> {
  const accessToken = `ya29.bench-${randomUUID()}`
  const scopes = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly']
  fake.state.accessTokens.set(accessToken, { scope: scopes.join(' '), expired: false })
  const channel = fake.state.channels[0]!
  const externalId = number ? `${channel.id}-${number}` : channel.id
  return insertAccount(db, box, workspaceId, { platform: 'youtube', externalId, displayName: channel.title, accessToken, scopes, metadata: { channelId: externalId } })
}

/** The fake's Instagram professional account, with a 60-day token it issued. */
export async function instagramAccount(db: PrismaClient, box: SecretBox, workspaceId: string, fake: FakeMeta, number = 0): Promise<AccountRow> {
  const accessToken = newToken('IGAAlong')
  const userId = number ? `${fake.instagram.user.userId}${number}` : fake.instagram.user.userId
  fake.tokens.set(accessToken, { kind: 'ig-long', subject: userId })
  return insertAccount(db, box, workspaceId, {
    platform: 'instagram', externalId: userId, displayName: fake.instagram.user.username, accessToken,
    scopes: ['instagram_business_basic', 'instagram_business_content_publish'], metadata: { login: 'instagram' },
  })
}

/** The fake's first Facebook Page (the one its creator may post to), with its Page token. */
export async function facebookAccount(db: PrismaClient, box: SecretBox, workspaceId: string, fake: FakeMeta, number = 0): Promise<AccountRow> {
  const page = number ? { ...fake.facebook.pages[0]!, id: `${fake.facebook.pages[0]!.id}${number}`, token: newToken('EAAGpage') } : fake.facebook.pages[0]!
  if (number) {
    fake.tokens.set(page.token, { kind: 'fb-page', subject: page.id })
    fake.facebook.pages.push(page)
  }
  return insertAccount(db, box, workspaceId, {
    platform: 'facebook', externalId: page.id, displayName: page.name, accessToken: page.token,
    scopes: ['pages_manage_posts', 'pages_read_engagement', 'pages_show_list'], metadata: { tasks: page.tasks, canReadInsights: true },
  })
}

/** A TikTok account connected the way a creator does it: the authorize page's redirect, the code exchange, user info. */
export async function tiktokAccountRow(db: PrismaClient, box: SecretBox, workspaceId: string, app: PlatformApp, number = 0): Promise<AccountRow> {
  const page = await fetch(tiktokConnector.authorizeUrl(app, { state: 'bench' }), { redirect: 'manual' })
  const code = new URL(page.headers.get('location')!).searchParams.get('code')
  if (!code) throw new Error(`the fake TikTok's authorize page answered ${page.status} without a code`)
  const tokens = await tiktokConnector.exchangeCode(app, { code })
  const [connected] = await tiktokConnector.accounts(app, tokens)
  return insertAccount(db, box, workspaceId, {
    platform: 'tiktok', externalId: number ? `${connected!.externalId}-${number}` : connected!.externalId, displayName: connected!.displayName ?? 'TikTok', accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken, scopes: tokens.scopes, metadata: connected!.metadata,
  })
}

/** The app registration that matches a fake TikTok (its client key, secret and redirect). */
export const tiktokAppFor = (fake: FakeTiktok): PlatformApp => ({
  clientId: fake.options.clientKey, clientSecret: fake.options.clientSecret, redirectUri: fake.options.redirectUri, baseUrl: fake.url,
})

/** A finished render of `clipPath`, stored in `store`, as the Studio leaves one. */
export async function storedRender(db: PrismaClient, store: MediaStore, workspaceId: string, clipPath: string): Promise<string> {
  const video = await db.video.create({ data: { workspaceId, kind: 'footage', status: 'ready', title: 'Publish source', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })
  const renderId = randomUUID()
  const storageKey = `ws/${workspaceId}/renders/${renderId}/output.mp4`
  await store.putFile(storageKey, clipPath)
  await db.render.create({
    data: { id: renderId, workspaceId, sourceVideoId: video.id, status: 'succeeded', storageKey, sizeBytes: BigInt((await stat(clipPath)).size), durationMs: 4000, width: 360, height: 640, finishedAt: new Date() },
  })
  return renderId
}
