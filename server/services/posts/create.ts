// "Publish now": one Post per chosen account, checked before anything is sent (the render against each platform's
// constraints, the text against its caption rules, the account's health, a platform that must fetch from us), then a
// posts.publish job each, keyed by the post so it never runs twice.
import { randomUUID } from 'node:crypto'
import type { Role } from '#shared/permissions'
import type { PlatformCheck } from '#shared/platforms'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import { captionProblems, type PublishInput } from '#shared/posts'
import { instantToWallTime } from '#shared/schedule-time'
import type { PrismaClient } from '../../generated/prisma/client'
import { ServiceError, badRequest, notFound } from '../errors'
import { connectors } from '../platforms'
import type { PlatformApp } from '../platforms/connector'
import type { Notifier } from '../notifications/notify'
import { isPublicUrl } from '../platforms/reachability'
import type { ScheduleJobs } from '../schedule/jobs'
import { approvalNeeded, workspaceZone } from '../schedule/policy'

export interface PublishNowDeps {
  db: PrismaClient
  jobs: Pick<ScheduleJobs, 'sendPublish'>
  appUrl: string
  app: (platform: keyof typeof connectors) => PlatformApp
  notify?: Pick<Notifier, 'approvalRequested'>
}

/** Every reason a target cannot be published, named by account, before any post is made (Publish now, the calendar). */
export async function targetProblems(deps: Pick<PublishNowDeps, 'db' | 'appUrl' | 'app'>, workspaceId: string, input: PublishInput) {
  const render = await deps.db.render.findFirst({ where: { id: input.renderId, workspaceId } })
  if (!render) throw notFound('That render')
  if (render.status !== 'succeeded' || !render.storageKey) throw badRequest('That render has not finished. Publish it once it has.')
  const accounts = await deps.db.socialAccount.findMany({ where: { workspaceId, id: { in: input.targets.map(target => target.accountId) } } })
  const problems: string[] = []
  for (const target of input.targets) {
    const account = accounts.find(row => row.id === target.accountId)
    if (!account) throw notFound('One of the chosen accounts')
    problems.push(...accountProblems(deps, render, account, target))
  }
  return { render, accounts, problems }
}

export interface CheckedAccount { platform: PlatformKey, status: string, displayName: string | null, handle: string | null, externalId: string }

/** What stands between one account and this render with this text, in words; the CSV import checks its rows with it too. */
export function accountProblems(deps: Pick<PublishNowDeps, 'appUrl' | 'app'>, render: { checks: unknown }, account: CheckedAccount, target: Pick<PublishInput['targets'][number], 'caption' | 'title' | 'tags'>): string[] {
  const checks = (render.checks ?? []) as PlatformCheck[]
  const label = `${platformNames[account.platform]} (${account.displayName ?? account.handle ?? account.externalId})`
  const problems: string[] = []
  if (account.status !== 'active') problems.push(`${label}: reconnect it on the Accounts page first.`)
  // Made from ffprobe's reading of the finished file (runRender), for every platform.
  const check = checks.find(each => each.platform === account.platform)
  if (check && !check.ok) problems.push(...check.problems.map(problem => `${label}: ${problem}`))
  problems.push(...captionProblems(account.platform, target).map(problem => `${label}: ${problem}`))
  const app = deps.app(account.platform)
  // A stand-in for the platform (tests, a proxy) reaches what it reaches; the real platform needs a public address.
  if (connectors[account.platform].pullsFromUrl && !app.baseUrl && !isPublicUrl(deps.appUrl)) {
    problems.push(`${label}: ${platformNames[account.platform]} fetches the video from this server (${deps.appUrl}), which the internet cannot reach. Set APP_URL to the server's public https address.`)
  }
  return problems
}

export async function publishNow(deps: PublishNowDeps, actor: { workspaceId: string, userId: string, role: Role }, input: PublishInput): Promise<{ groupId: string, postIds: string[], waitingForApproval: boolean }> {
  const ids = input.targets.map(target => target.accountId)
  if (new Set(ids).size !== ids.length) throw badRequest('Each account can be chosen once per publish.')
  const { render, accounts, problems } = await targetProblems(deps, actor.workspaceId, input)
  if (problems.length) throw new ServiceError(400, `Nothing was published. ${problems.join(' ')}`, { problems })
  const groupId = randomUUID()
  const now = new Date()
  // An editor's post in a workspace whose posts need approval waits for an admin, "now" included.
  const needsApproval = await approvalNeeded(deps.db, actor)
  const zone = await workspaceZone(deps.db, actor.workspaceId)
  const posts = await deps.db.$transaction(input.targets.map(target => deps.db.post.create({
    data: {
      workspaceId: actor.workspaceId, socialAccountId: target.accountId, videoId: render.sourceVideoId, renderId: render.id,
      createdById: actor.userId, status: 'scheduled', scheduledAt: now, dueAt: now, groupId, needsApproval,
      scheduledWall: instantToWallTime(now.toISOString(), zone), scheduledZone: zone,
      caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy, options: target.options,
    },
    select: { id: true, socialAccountId: true },
  })))
  if (needsApproval) {
    await deps.notify?.approvalRequested({ workspaceId: actor.workspaceId, groupId, authorId: actor.userId, occurrences: 1 })
    return { groupId, postIds: posts.map(post => post.id), waitingForApproval: true }
  }
  for (const post of posts) {
    try {
      await deps.jobs.sendPublish({ workspaceId: actor.workspaceId, postId: post.id })
    }
    catch {
      const account = accounts.find(row => row.id === post.socialAccountId)!
      await deps.db.post.update({ where: { id: post.id }, data: { status: 'failed', error: `It could not be queued for ${platformNames[account.platform]}. Publish it again in a moment.` } })
    }
  }
  return { groupId, postIds: posts.map(post => post.id), waitingForApproval: false }
}
