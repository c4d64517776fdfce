// Connected social accounts, as the Accounts page and the publish form see them. Tokens never leave the server.
import { z } from 'zod'
import { platforms, type PlatformKey } from './platforms/keys'

export const connectInput = z.object({
  platform: z.enum(platforms, { error: 'Choose Instagram, TikTok, YouTube or Facebook.' }),
  // Where to come back to after the platform's consent screen: a path in this app, never another site.
  returnTo: z.string().regex(/^\/(?!\/)[\w\-/?=&.%]*$/, 'Return to a page of this app.').max(300).default('/accounts'),
})

export const chooseInput = z.object({
  externalIds: z.array(z.string().min(1).max(200)).min(1, 'Choose at least one account to connect.').max(50),
})

/** One channel, Page or account a login owns, offered when there are several. */
export interface AccountChoice {
  externalId: string
  handle: string | null
  displayName: string | null
  avatarUrl: string | null
  /** Already connected in this workspace (choosing it again refreshes its tokens). */
  connected: boolean
}

/** A counted platform limit and how much of it is used now. */
export interface LimitUse {
  key: string
  label: string
  used: number
  max: number
}

export type AccountHealth = 'ok' | 'warning' | 'reconnect'

export interface AccountView {
  id: string
  platform: PlatformKey
  handle: string | null
  displayName: string | null
  avatarUrl: string | null
  status: 'active' | 'expired' | 'revoked' | 'error'
  health: AccountHealth
  /** What is wrong, in words, with what to do; null when all is well. */
  healthNote: string | null
  tokenExpiresAt: string | null
  refreshExpiresAt: string | null
  lastRefreshedAt: string | null
  scopesGranted: string[]
  scopesMissing: string[]
  lastError: string | null
  lastErrorAt: string | null
  limits: LimitUse[]
  /** What the platform allows this app (TikTok unaudited → private only; unverified YouTube projects → private). */
  notices: string[]
  connectedAt: string
}

export interface PlatformAvailability {
  platform: PlatformKey
  name: string
  /** The server has this platform's app keys. */
  configured: boolean
  /** The platform fetches the video from our URL, so the app must be reachable from the internet. */
  pullsFromUrl: boolean
  /** The address to register as the OAuth redirect in the platform's developer console. */
  redirectUri: string
}

export interface AccountsResponse {
  accounts: AccountView[]
  platforms: PlatformAvailability[]
  /** This server's address can be reached from the internet (https, not a private or loopback host). */
  publicUrl: { url: string, reachable: boolean }
  canManage: boolean
}
