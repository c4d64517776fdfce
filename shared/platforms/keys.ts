// The one list of the platforms Reelwise publishes to. Everything per platform follows it: the Prisma enum
// `Platform`, the env pairs (`<KEY>_CLIENT_ID` / `_CLIENT_SECRET`), the render profiles beside this file, the server
// connectors (server/services/platforms/<key>/) and the loopback fakes in test/. test/unit/platform-keys.test.ts fails
// when one of them lacks a platform.
export const platforms = ['instagram', 'tiktok', 'youtube', 'facebook'] as const
export type PlatformKey = typeof platforms[number]

export const platformNames: Record<PlatformKey, string> = {
  instagram: 'Instagram',
  tiktok: 'TikTok',
  youtube: 'YouTube',
  facebook: 'Facebook',
}
