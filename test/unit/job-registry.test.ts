import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { queueName } from '#shared/jobs'
import { assertQueueRules, LOST_JOB_RETURNS_WITHIN_SECONDS, lostJobReturnsWithinSeconds, queues, type QueueDefinition } from '../../server/services/jobs/registry'

const all: QueueDefinition[] = Object.values(queues)

describe('the job registry', () => {
  it('every queue whose jobs may run past a minute sends heartbeats, so a dead worker\'s job comes back in about a minute', () => {
    for (const queue of all) {
      expect(() => assertQueueRules(queue), queue.name).not.toThrow()
      if (queue.expireInSeconds > 60) {
        expect(queue.heartbeatSeconds, queue.name).toBeGreaterThanOrEqual(10)
        expect(lostJobReturnsWithinSeconds(queue), queue.name).toBeLessThanOrEqual(LOST_JOB_RETURNS_WITHIN_SECONDS)
      }
    }
  })

  it('refuses a long queue without a heartbeat, and a heartbeat pg-boss would refuse', () => {
    const long = { name: 'test.long', retryLimit: 1, retryDelay: 0, retryBackoff: false, expireInSeconds: 3600, concurrency: 1 }
    expect(() => assertQueueRules(long)).toThrow(/needs heartbeatSeconds/)
    expect(() => assertQueueRules({ ...long, heartbeatSeconds: 5 })).toThrow(/10 or more/)
    expect(() => assertQueueRules({ ...long, heartbeatSeconds: 30 })).not.toThrow()
  })

  it('the media queues are fair across workspaces, settle their rows when given up on, and type their payloads', () => {
    for (const name of ['media.analyse', 'media.render'] as const) {
      const queue = queues[name]
      expect(queue.perWorkspace, name).toBe(1)
      expect(typeof queue.onFinalFailure, name).toBe('function')
      expect(queue.payload.safeParse({ workspaceId: 'not a uuid' }).success, name).toBe(false)
    }
  })

  it('names every queue for the Jobs page', () => {
    for (const queue of all) expect(queueName(queue.name), queue.name).not.toBe(queue.name)
  })

  it('the key rotation and the token refresh sweep run one at a time, with heartbeats and no payload', () => {
    for (const name of ['secrets.rotate', 'accounts.refresh'] as const) {
      const queue: QueueDefinition = queues[name]
      expect(queue).toMatchObject({ concurrency: 1, heartbeatSeconds: 30 })
      expect(queue.payload, name).toBeUndefined()
    }
  })

  it('metrics pulls and follower reads are one job per account at a time, fair across workspaces, and typed', () => {
    for (const name of ['metrics.pull', 'metrics.followers'] as const) {
      const queue: QueueDefinition = queues[name]
      expect(queue, name).toMatchObject({ policy: 'stately', perWorkspace: expect.any(Number) })
      expect(queue.payload!.safeParse({ workspaceId: crypto.randomUUID(), socialAccountId: crypto.randomUUID(), retry: 1 }).success, name).toBe(true)
      expect(queue.payload!.safeParse({ workspaceId: crypto.randomUUID() }).success, name).toBe(false)
    }
    // The sweep runs every 5 minutes, not every minute: the earliest pull is an hour after publishing.
    expect(readFileSync(resolve(import.meta.dirname, '../../nuxt.config.ts'), 'utf8')).toMatch(/'\*\/5 \* \* \* \*': \[[^\]]*'metrics:sweep'/)
  })

  it('every scheduled task has its file in server/tasks and enqueues a registered queue', () => {
    const root = resolve(import.meta.dirname, '../..')
    const config = readFileSync(resolve(root, 'nuxt.config.ts'), 'utf8')
    const scheduled = /scheduledTasks = \{([^}]*)\}/.exec(config)![1]!
    const tasks = [...scheduled.matchAll(/'([a-z]+):([a-z]+)'/g)].map(match => [match[1]!, match[2]!] as const)
    expect(tasks.map(([domain, verb]) => `${domain}:${verb}`)).toContain('accounts:refresh')
    for (const [domain, verb] of tasks) {
      const file = resolve(root, 'server/tasks', domain, `${verb}.ts`)
      expect(existsSync(file), file).toBe(true)
      const queue = /enqueueSweep\('([\w.]+)'/.exec(readFileSync(file, 'utf8'))?.[1]
      expect(queue && queue in queues, `${domain}:${verb} enqueues ${queue}`).toBe(true)
    }
  })
})
