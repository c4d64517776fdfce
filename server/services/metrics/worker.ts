// The metrics jobs' dependencies and queues: one metrics.pull job per account at a time, one metrics.followers job
// per account at a time (their singleton keys), so a slow or throttled account never piles up jobs.
import type { PlatformKey } from '#shared/platforms/keys'
import type { PrismaClient } from '../../generated/prisma/client'
import { ServiceError } from '../errors'
import type { JobEngine } from '../jobs/engine'
import type { PlatformApp } from '../platforms/connector'
import type { SecretBox } from '../security/secrets'

export const PULL_QUEUE = 'metrics.pull'
export const FOLLOWERS_QUEUE = 'metrics.followers'

/** A job's data: the account whose due posts (or own numbers) are read; `retry` counts waits after a 429 or 5xx. */
export interface AccountJobData { workspaceId: string, socialAccountId: string, retry?: number }

export interface MetricsJobs {
  sendPull: (data: AccountJobData, options?: { startAfter?: Date }) => Promise<unknown>
  /** The sweep's sends, one statement: an account whose job already waits is skipped. */
  sendPulls: (jobs: AccountJobData[]) => Promise<number>
  sendFollowers: (jobs: AccountJobData[]) => Promise<number>
}

export interface MetricsWorkerDeps extends Pick<MetricsJobs, 'sendPull'> {
  db: PrismaClient
  box: SecretBox
  app: (platform: PlatformKey) => PlatformApp
  /** The clock pulls are scheduled by (tests move it days ahead; pg-boss's own waits stay real). */
  now?: () => Date
}

// Keyed by workspace too, so a job naming an account under the wrong workspace (it finds nothing) holds no real one up.
export const pullKey = (data: Pick<AccountJobData, 'workspaceId' | 'socialAccountId'>) => `metrics:${data.workspaceId}:${data.socialAccountId}`
export const followersKey = (data: Pick<AccountJobData, 'workspaceId' | 'socialAccountId'>) => `followers:${data.workspaceId}:${data.socialAccountId}`

export function metricsQueues(engine: JobEngine, queues: { pull: string, followers: string } = { pull: PULL_QUEUE, followers: FOLLOWERS_QUEUE }): MetricsJobs {
  return {
    sendPull: (data, options) => engine.send(queues.pull, data, { ...options, singletonKey: pullKey(data) }),
    sendPulls: async jobs => (await engine.sendMany(queues.pull, jobs.map(data => ({ data, singletonKey: pullKey(data) })))).length,
    sendFollowers: async jobs => (await engine.sendMany(queues.followers, jobs.map(data => ({ data, singletonKey: followersKey(data) })))).length,
  }
}

/** The platform's app on this server, or null when this server has none set up (its accounts are not read here). */
export function configuredApp(deps: Pick<MetricsWorkerDeps, 'app'>, platform: PlatformKey): PlatformApp | null {
  try {
    return deps.app(platform)
  }
  catch (error) {
    if (error instanceof ServiceError && error.data?.reason === 'platform-not-configured') return null
    throw error
  }
}
