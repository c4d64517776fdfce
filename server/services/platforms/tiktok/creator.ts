// creator_info: what TikTok lets this app do with this creator right now. The publish form is built from it
// (TikTok's UX rules): the privacy choices offered, the comment/duet/stitch switches the creator turned off, and the
// longest video. An app TikTok has not audited is offered SELF_ONLY alone: that is said, never hidden.
import { z } from 'zod'
import type { AccountCapabilities, AccountContext } from '../connector'
import { tiktokApi } from './http'

const creatorSchema = z.object({
  creator_username: z.string().optional(),
  creator_nickname: z.string().optional(),
  creator_avatar_url: z.string().optional(),
  privacy_level_options: z.array(z.string()).min(1),
  comment_disabled: z.boolean(),
  duet_disabled: z.boolean(),
  stitch_disabled: z.boolean(),
  max_video_post_duration_sec: z.number().positive(),
})
export type CreatorInfo = z.infer<typeof creatorSchema>

export const privateOnlyNotice = 'TikTok has not audited this app yet, so every TikTok post it makes is private: only the creator sees it (SELF_ONLY). Posts can be public once TikTok has audited the app.'

export function queryCreatorInfo(account: AccountContext, timeoutMs: number): Promise<CreatorInfo> {
  return tiktokApi(account, { path: '/v2/post/publish/creator_info/query/', body: {}, schema: creatorSchema, timeoutMs })
}

export function capabilitiesOf(creator: CreatorInfo): AccountCapabilities {
  const privateOnly = creator.privacy_level_options.every(option => option === 'SELF_ONLY')
  return {
    privacyOptions: creator.privacy_level_options,
    maxDurationSeconds: creator.max_video_post_duration_sec,
    notices: privateOnly ? [privateOnlyNotice] : [],
    details: {
      commentDisabled: creator.comment_disabled,
      duetDisabled: creator.duet_disabled,
      stitchDisabled: creator.stitch_disabled,
      creatorUsername: creator.creator_username,
      creatorNickname: creator.creator_nickname,
      creatorAvatarUrl: creator.creator_avatar_url,
      privateOnly,
    },
  }
}
