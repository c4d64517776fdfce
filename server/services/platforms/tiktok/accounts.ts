// Who the login is: TikTok has one account per login, named by its open_id (this app's id for the user).
// user.info.basic gives no username; creator_info does (creatorUsername in capabilities), and publish keeps it.
import { z } from 'zod'
import type { ConnectableAccount, PlatformApp, TokenSet } from '../connector'
import { callApi } from './http'

const userSchema = z.object({
  user: z.object({
    open_id: z.string().min(1),
    union_id: z.string().optional(),
    avatar_url: z.string().optional(),
    display_name: z.string().optional(),
  }),
})

export async function tiktokAccounts(app: PlatformApp, tokens: TokenSet, timeoutMs: number): Promise<ConnectableAccount[]> {
  const { user } = await callApi(app, tokens.accessToken, {
    method: 'GET',
    path: '/v2/user/info/?fields=open_id,union_id,avatar_url,display_name',
    schema: userSchema,
    timeoutMs,
  })
  return [{
    externalId: user.open_id,
    displayName: user.display_name || undefined,
    avatarUrl: user.avatar_url || undefined,
    tokens,
    metadata: { openId: user.open_id, ...(user.union_id ? { unionId: user.union_id } : {}) },
  }]
}
