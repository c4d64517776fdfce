// The channels a Google login owns. The login itself (its userinfo id) is not a channel, and may own none.
import { z } from 'zod'
import { PlatformError, type ConnectableAccount, type PlatformApp, type TokenSet } from '../connector'
import { callOptions, readApi, youtubeClient } from './api'

const thumbnail = z.object({ url: z.string() }).loose()
const channelListSchema = z.object({
  items: z.array(z.object({
    id: z.string(),
    snippet: z.object({
      title: z.string().optional(),
      customUrl: z.string().optional(),
      thumbnails: z.object({ default: thumbnail.optional(), medium: thumbnail.optional(), high: thumbnail.optional() }).loose().optional(),
    }).loose().optional(),
  }).loose()).optional(),
  nextPageToken: z.string().optional(),
}).loose()

export async function accounts(app: PlatformApp, tokens: TokenSet): Promise<ConnectableAccount[]> {
  const channels: ConnectableAccount[] = []
  let pageToken: string | undefined
  do {
    const page = await readApi('the channel list', () => youtubeClient.channels.list(
      { part: ['snippet'], mine: true, maxResults: 50, pageToken },
      callOptions(app, tokens.accessToken),
    ), channelListSchema)
    for (const item of page.items ?? []) {
      const pictures = item.snippet?.thumbnails
      channels.push({
        externalId: item.id,
        handle: item.snippet?.customUrl,
        displayName: item.snippet?.title,
        avatarUrl: (pictures?.high ?? pictures?.medium ?? pictures?.default)?.url,
        tokens,
        metadata: { channelId: item.id },
      })
    }
    pageToken = page.nextPageToken
  } while (pageToken)
  if (channels.length === 0) {
    throw new PlatformError('youtube', 'This Google account has no YouTube channel yet. Create a channel on youtube.com, then connect again.', { code: 'youtubeSignupRequired' })
  }
  return channels
}
