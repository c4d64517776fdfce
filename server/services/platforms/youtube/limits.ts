// YouTube's facts in one place (../shared/PLATFORMS.md): the hosts we call, the scopes, the quota buckets and what a
// publish takes from them. Change a limit here and nowhere else.
import type { PlatformLimit } from '../connector'

export const YOUTUBE_ENDPOINTS = {
  authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  revoke: 'https://oauth2.googleapis.com/revoke',
  /** The Data API's root, as @googleapis/youtube joins its paths to it. */
  apiRoot: 'https://youtube.googleapis.com/',
  /** The resumable upload: snippet and status in the first request, the bytes in later ones. */
  upload: 'https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status',
  shortsPage: 'https://www.youtube.com/shorts/',
} as const

/** The issuer oauth4webapi checks an id_token against (Google sends one only when `openid` was granted). */
export const GOOGLE_ISSUER = 'https://accounts.google.com'

const scope = (name: string) => `https://www.googleapis.com/auth/${name}`

export const YOUTUBE_SCOPES = {
  // channels.list(mine) needs a read scope: youtube.upload alone cannot list the login's channels.
  publish: [scope('youtube.upload'), scope('youtube.readonly')],
  metrics: [scope('youtube.readonly'), scope('yt-analytics.readonly')],
}

/** Quota resets at midnight Pacific; both buckets count by that calendar day. */
export const QUOTA_ZONE = 'America/Los_Angeles'

// Units of the shared 10,000 a day: a list call costs 1. videos.insert is counted in its own bucket (100 a day).
export const UNIT_COST = { list: 1 } as const
/** The status polls a publish usually takes before processing is done (the check job polls with backoff). */
export const STATUS_POLLS_PER_PUBLISH = 5

export const YOUTUBE_LIMITS: PlatformLimit[] = [
  {
    key: 'youtube.uploads',
    label: 'YouTube\'s daily upload limit (100 uploads a day, reset at midnight Pacific time)',
    max: 100,
    window: { dayInZone: QUOTA_ZONE },
    perPublish: 1,
  },
  {
    key: 'youtube.units',
    label: 'YouTube\'s daily API quota (10,000 units a day, reset at midnight Pacific time)',
    max: 10_000,
    window: { dayInZone: QUOTA_ZONE },
    perPublish: STATUS_POLLS_PER_PUBLISH * UNIT_COST.list,
  },
]

/** Upload chunks are multiples of 256 KiB (all but the last); 8 MiB is the usual size. */
export const CHUNK_UNIT_BYTES = 256 * 1024
export const DEFAULT_CHUNK_BYTES = 32 * CHUNK_UNIT_BYTES

/** videos.list takes at most 50 ids a call. */
export const VIDEOS_PER_LIST = 50
export const TITLE_MAX_CHARACTERS = 100

export const PRIVACY_OPTIONS = ['public', 'unlisted', 'private'] as const
export const UNVERIFIED_PROJECT_NOTICE = 'Until Google verifies this app\'s API project, YouTube makes every video it uploads private: '
  + 'publish as public, then check the video in YouTube Studio and make it public there if it came back private.'
