// Posts: a render published to a connected account. The input of "Publish now", the caption rules of each platform
// in words, and what the pages show of a post and its attempts.
import { z } from 'zod'
import { platformProfiles } from './platforms'
import { platformNames, type PlatformKey } from './platforms/keys'

const hashtags = (text: string) => text.match(/(^|\s)#[\p{L}\p{N}_]+/gu)?.length ?? 0
const mentions = (text: string) => text.match(/(^|\s)@[\w.]+/gu)?.length ?? 0

/** What a platform would refuse in a post's text, in words a creator can act on; empty when it fits. */
export function captionProblems(platform: PlatformKey, post: { caption: string, title?: string | null, tags?: string[] }): string[] {
  const rules = platformProfiles[platform].caption
  const name = platformNames[platform]
  const problems: string[] = []
  if (post.caption.length > rules.maxChars) problems.push(`${name} takes a caption of up to ${rules.maxChars.toLocaleString('en')} characters; this one has ${post.caption.length.toLocaleString('en')}. Shorten it.`)
  if (rules.maxHashtags !== undefined && hashtags(post.caption) > rules.maxHashtags) problems.push(`${name} takes at most ${rules.maxHashtags} hashtags; this caption has ${hashtags(post.caption)}.`)
  if (rules.maxMentions !== undefined && mentions(post.caption) > rules.maxMentions) problems.push(`${name} takes at most ${rules.maxMentions} @mentions; this caption has ${mentions(post.caption)}.`)
  if (rules.title) {
    const title = post.title?.trim() ?? ''
    if (!title) problems.push(`${name} needs a title.`)
    else if (title.length > rules.title.maxChars) problems.push(`${name} takes a title of up to ${rules.title.maxChars} characters; this one has ${title.length}.`)
    else if (/[<>]/.test(title)) problems.push(`${name} refuses < and > in a title.`)
  }
  if (rules.tags && post.tags) {
    const total = post.tags.reduce((sum, tag) => sum + tag.length + (tag.includes(' ') ? 2 : 0), 0) + Math.max(0, post.tags.length - 1)
    if (total > rules.tags.maxTotalChars) problems.push(`${name} takes tags of up to ${rules.tags.maxTotalChars} characters in all; these have ${total}. Drop some.`)
  }
  return problems
}

const privacyWords: Record<string, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone', MUTUAL_FOLLOW_FRIENDS: 'Friends', FOLLOWER_OF_CREATOR: 'Followers', SELF_ONLY: 'Only me',
  public: 'Public', unlisted: 'Unlisted (anyone with the link)', private: 'Private',
}

/** A platform's privacy value in words ("Only me" for TikTok's SELF_ONLY); an unknown value reads as itself. */
export function privacyLabel(value: string): string {
  return privacyWords[value] ?? value
}

/**
 * Whether the form may choose the privacy for the creator. TikTok's rules for apps that post: the creator picks it,
 * with no value chosen in advance.
 */
export const privacyNeedsChoice = (platform: PlatformKey) => platform === 'tiktok'

export const publishTarget = z.object({
  accountId: z.uuid({ error: 'Choose an account.' }),
  caption: z.string().max(70_000).default(''),
  title: z.string().trim().max(500).nullable().default(null),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  privacy: z.string().max(60).nullable().default(null),
  // Per-platform switches (TikTok's comments, duet and stitch; Instagram's share to feed), checked by the platform.
  options: z.record(z.string(), z.union([z.boolean(), z.string().max(200), z.number()])).default({}),
})

export const publishInput = z.object({
  renderId: z.uuid({ error: 'Choose a render to publish.' }),
  targets: z.array(publishTarget).min(1, 'Choose at least one account to publish to.').max(20),
})
export type PublishInput = z.infer<typeof publishInput>

export type PostStatus = 'draft' | 'scheduled' | 'publishing' | 'processing' | 'published' | 'failed' | 'canceled'

export interface PostAttemptView {
  number: number
  status: 'running' | 'processing' | 'succeeded' | 'failed'
  error: string | null
  errorCode: string | null
  retryable: boolean
  /** The platform's replies, tokens taken out. */
  responses: unknown[]
  startedAt: string
  finishedAt: string | null
}

export interface PostView {
  id: string
  groupId: string | null
  renderId: string | null
  account: { id: string, platform: PlatformKey, name: string }
  status: PostStatus
  caption: string
  title: string | null
  /** YouTube's tags (the calendar's edit form shows them again). */
  tags: string[]
  privacy: string | null
  error: string | null
  waitingReason: string | null
  permalink: string | null
  /** Something to know about a publish that went through (YouTube kept it private), in words. */
  notice: string | null
  publishedAt: string | null
  /** Scheduled by an editor in a workspace whose posts need approval, and not approved yet: it does not publish. */
  waitingForApproval: boolean
  /** Published this long after its time (the worker was down), in seconds. */
  lateSeconds: number | null
  createdAt: string
  attempts: PostAttemptView[]
}
