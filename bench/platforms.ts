// The four loopback platforms the publish benches post to (bench/publish.ts, bench/schedule.ts), the app registrations
// that point the connectors at them, connected accounts per workspace, and what each platform made public.
import type { PlatformKey } from '#shared/platforms/keys'
import type { PrismaClient } from '../server/generated/prisma/client'
import type { PlatformAppConfig } from '../server/services/config/env'
import type { SecretBox } from '../server/services/security/secrets'
import type { FakePlatformServer } from '../test/support/fake-platform-server'
import { FAKE_APP, startFakeMeta } from '../test/support/fake-meta'
import { startFakeTiktok } from '../test/support/fake-tiktok'
import { startFakeYoutube } from '../test/support/fake-youtube'
import { facebookAccount, instagramAccount, tiktokAccountRow, tiktokAppFor, youtubeAccount, type AccountRow } from '../test/support/publish-accounts'

export const PLATFORMS: PlatformKey[] = ['youtube', 'instagram', 'facebook', 'tiktok']

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** mulberry32: the same choices every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
}

export type BenchPlatforms = Awaited<ReturnType<typeof startBenchPlatforms>>

/**
 * The fakes, with `appUrl` as our callback's origin. TikTok's 6 inits a minute per token run on the bench's clock
 * (`timeScale`), as the jobs' waits do.
 */
export async function startBenchPlatforms(appUrl: string, timeScale = 1) {
  const youtube = await startFakeYoutube({ id: 'yt-bench-client', secret: 'yt-bench-secret', redirectUri: `${appUrl}/accounts/callback/youtube` })
  youtube.setChannels([{ id: 'UC-bench', title: 'Bench Kitchen' }])
  youtube.script.processingPolls = 1
  const meta = await startFakeMeta()
  const tiktok = await startFakeTiktok({ redirectUri: `${appUrl}/accounts/callback/tiktok`, initWindowMs: 60_000 * timeScale })
  const servers: Record<PlatformKey, FakePlatformServer> = { youtube: youtube.server, instagram: meta.server, facebook: meta.server, tiktok: tiktok.server }
  const platforms: Record<PlatformKey, PlatformAppConfig> = {
    youtube: { clientId: 'yt-bench-client', clientSecret: 'yt-bench-secret', baseUrl: youtube.url },
    instagram: { clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, baseUrl: meta.url },
    facebook: { clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, baseUrl: meta.url },
    tiktok: { clientId: tiktok.options.clientKey, clientSecret: tiktok.options.clientSecret, baseUrl: tiktok.url },
  }
  return {
    youtube, meta, tiktok, servers, platforms,
    /** Milliseconds the fakes spent handling requests, summed. */
    handlingMs: () => youtube.server.handlingMs() + meta.server.handlingMs() + tiktok.server.handlingMs(),
    /** What each platform made public: more than the posts published there is a double post. */
    made: (): Record<PlatformKey, number> => ({
      youtube: youtube.videos().length,
      instagram: meta.instagram.reels.length,
      facebook: [...meta.facebook.videos.values()].filter(video => video.finished > 0).length,
      tiktok: tiktok.posts,
    }),
    /** One connected account per platform in the workspace; `number` > 0 adds another one (its own id and token). */
    async connect(db: PrismaClient, box: SecretBox, workspaceId: string, number = 0): Promise<Record<PlatformKey, AccountRow>> {
      return {
        youtube: await youtubeAccount(db, box, workspaceId, youtube, number),
        instagram: await instagramAccount(db, box, workspaceId, meta, number),
        facebook: await facebookAccount(db, box, workspaceId, meta, number),
        tiktok: await tiktokAccountRow(db, box, workspaceId, tiktokAppFor(tiktok), number),
      }
    },
    close: async () => {
      await youtube.close()
      await meta.close()
      await tiktok.close()
    },
  }
}
