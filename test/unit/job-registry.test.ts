import { describe, expect, it } from 'vitest'
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
})
