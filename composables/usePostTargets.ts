import type { AccountsResponse, AccountView } from '#shared/accounts'
import type { PlatformCheck } from '#shared/platforms'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import { captionProblems, privacyNeedsChoice } from '#shared/posts'

export interface AccountCapabilities { privacyOptions: string[], notices: string[], maxDurationSeconds?: number }

/** One account's part of a post, as "Publish now" and the calendar send it. */
export interface PostTargetInput {
  accountId: string
  caption: string
  privacy: string | null
  title?: string
  tags?: string[]
}

/** What an edited post already says for one account, to start the form from. */
export interface PostTargetStart { accountId: string, caption: string, title?: string | null, tags?: string[], privacy?: string | null }

/**
 * The accounts, captions, YouTube title and tags, and privacy of a post being written, shared by "Publish now" and the
 * calendar's composer: one caption for every account unless a platform gets its own, each platform's limits checked
 * as the creator types, and what each account allows read when it is chosen.
 */
export function usePostTargets(options: {
  workspaceId: MaybeRefOrGetter<string>
  accountList: MaybeRefOrGetter<AccountsResponse | null | undefined>
  checks?: MaybeRefOrGetter<PlatformCheck[] | null | undefined>
}) {
  const usable = computed(() => (toValue(options.accountList)?.accounts ?? []).filter(account => account.status === 'active'))
  const chosen = ref<string[]>([])
  const caption = ref('')
  const title = ref('')
  const tags = ref('')
  const privacy = reactive<Record<string, string>>({})
  const capabilities = reactive<Record<string, AccountCapabilities | { error: string } | undefined>>({})
  // TikTok's hashtags are not YouTube's: a platform may get a caption of its own.
  const ownCaptions = ref<Partial<Record<PlatformKey, string>>>({})

  const renderProblems = (account: AccountView) => toValue(options.checks)?.find(check => check.platform === account.platform)?.problems ?? []

  async function readCapabilities(account: AccountView, keepPrivacy?: string | null) {
    if (capabilities[account.id] && !('error' in capabilities[account.id]!)) return
    try {
      const read = await $fetch<AccountCapabilities>(`/api/workspaces/${toValue(options.workspaceId)}/accounts/${account.id}/capabilities`)
      capabilities[account.id] = read
      privacy[account.id] = keepPrivacy ?? (privacyNeedsChoice(account.platform) ? '' : read.privacyOptions[0] ?? '')
    }
    catch (failure) {
      capabilities[account.id] = { error: apiErrorMessage(failure, `What ${platformNames[account.platform]} allows could not be read. Try again.`) }
    }
  }

  async function toggle(account: AccountView, on: boolean) {
    chosen.value = on ? [...new Set([...chosen.value, account.id])] : chosen.value.filter(id => id !== account.id)
    if (on) await readCapabilities(account)
  }

  const tagList = computed(() => tags.value.split(',').map(tag => tag.trim()).filter(Boolean))
  const accounts = computed(() => usable.value.filter(account => chosen.value.includes(account.id)))
  const chosenPlatforms = computed(() => [...new Set(accounts.value.map(account => account.platform))])
  const captionFor = (platform: PlatformKey) => ownCaptions.value[platform] ?? caption.value

  const problems = computed(() => accounts.value.flatMap(account => [
    ...renderProblems(account),
    ...captionProblems(account.platform, { caption: captionFor(account.platform), title: account.platform === 'youtube' ? title.value : null, tags: tagList.value }),
    ...(capabilities[account.id] && !('error' in capabilities[account.id]!) && !privacy[account.id] ? ['Choose who can see it.'] : []),
  ].map(problem => `${platformNames[account.platform]}: ${problem}`)))

  const targets = computed<PostTargetInput[]>(() => accounts.value.map(account => ({
    accountId: account.id, caption: captionFor(account.platform), privacy: privacy[account.id] || null,
    ...(account.platform === 'youtube' ? { title: title.value, tags: tagList.value } : {}),
  })))

  // Instagram and Facebook fetch the video from this server: said before posting when the internet cannot reach it.
  const pullWarning = computed(() => {
    const list = toValue(options.accountList)
    if (!list || list.publicUrl.reachable) return null
    const pulling = [...new Set(accounts.value.filter(account => list.platforms.find(each => each.platform === account.platform)?.pullsFromUrl).map(account => platformNames[account.platform]))]
    if (!pulling.length) return null
    return `${pulling.join(' and ')} fetch${pulling.length === 1 ? 'es' : ''} the video from this server (${list.publicUrl.url}), which the internet cannot reach, so publishing there will fail. Ask the administrator to set APP_URL to the server's public https address.`
  })

  function reset() {
    chosen.value = []
    caption.value = ''
    title.value = ''
    tags.value = ''
    ownCaptions.value = {}
  }

  /** Starts the form from a post's targets: the first caption is the shared one, a different one its platform's own. */
  async function start(existing: PostTargetStart[]) {
    reset()
    const shared = existing[0]?.caption ?? ''
    caption.value = shared
    for (const target of existing) {
      const account = usable.value.find(each => each.id === target.accountId)
      if (!account) continue
      chosen.value.push(account.id)
      if (target.caption !== shared) ownCaptions.value[account.platform] = target.caption
      if (account.platform === 'youtube') {
        title.value = target.title ?? ''
        tags.value = (target.tags ?? []).join(', ')
      }
      if (target.privacy) privacy[account.id] = target.privacy
      void readCapabilities(account, target.privacy)
    }
  }

  return { usable, chosen, caption, title, tags, privacy, capabilities, ownCaptions, accounts, chosenPlatforms, problems, targets, pullWarning, toggle, reset, start }
}

export type PostTargets = ReturnType<typeof usePostTargets>
