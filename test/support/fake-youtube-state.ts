// What the YouTube fake remembers: the registered client, codes and tokens, the login's channels, upload sessions
// with their bytes, the videos made from them, and the script a test sets to bend the fake's behaviour.

export interface FakeChannel {
  id: string
  title: string
  customUrl?: string
  /** channels.list's statistics.subscriberCount; `hiddenSubscriberCount` leaves it out, as YouTube does. */
  subscriberCount?: number
  hiddenSubscriberCount?: boolean
}

export interface FakeVideo {
  id: string
  channelId: string
  resource: { snippet?: Record<string, unknown>, status?: Record<string, unknown> }
  privacyStatus: string
  bytes: Buffer
  contentType: string
  /** videos.list polls left before processing ends. */
  pollsLeft: number
  outcome: 'succeeded' | 'failed' | 'terminated'
  /** Counts as the API sends them (decimal strings); a missing one is left out of the reply. */
  statistics: Record<string, string>
}

export interface FakeSession {
  id: string
  channelId: string
  total: number
  contentType: string
  resource: FakeVideo['resource']
  chunks: Buffer[]
  received: number
  expired: boolean
  videoId?: string
}

export interface FakeYoutubeScript {
  /** The scopes the creator left ticked on the consent screen (Google's granular consent); all asked for when unset. */
  grantedScopes?: string[]
  /** The refresh reply carries a new refresh token. */
  refreshRotates: boolean
  /** Uploads come out private whatever was asked (an unverified API project). */
  forcePrivate: boolean
  /** videos.list polls that say `processing` before the outcome. */
  processingPolls: number
  processingOutcome: FakeVideo['outcome']
  /** The next chunk's connection drops after the fake kept this many of its bytes. */
  dropNextChunkAfter?: number
  /** What an expired session answers. */
  expiredStatus: 404 | 410
  /** Holds every chunk's answer this long after taking its bytes (a slow link), so a test can kill a worker mid-upload. */
  holdChunksMs?: number
}

export interface FakeYoutubeState {
  client: { id: string, secret: string, redirectUri: string }
  codes: Map<string, { scope: string, challenge?: string, redirectUri: string, offline: boolean }>
  refreshTokens: Map<string, { scope: string, revoked: boolean }>
  accessTokens: Map<string, { scope: string, expired: boolean, refreshToken?: string }>
  channels: FakeChannel[]
  sessions: Map<string, FakeSession>
  videos: Map<string, FakeVideo>
  /** Chunk PUTs that carried bytes, answered or not. */
  chunkPuts: number
  script: FakeYoutubeScript
}

export function newFakeYoutubeState(client: FakeYoutubeState['client']): FakeYoutubeState {
  return {
    client,
    codes: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    channels: [{ id: 'UCfake0channel0main00001', title: 'Main Kitchen', customUrl: '@mainkitchen' }],
    sessions: new Map(),
    videos: new Map(),
    chunkPuts: 0,
    script: { refreshRotates: false, forcePrivate: false, processingPolls: 1, processingOutcome: 'succeeded', expiredStatus: 404 },
  }
}
