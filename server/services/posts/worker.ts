// The posts jobs' dependencies in the app: the database, the secret box, media storage, the platforms' apps, and
// the two queues (a publish waits with startAfter; a check backs off the same way).
import { join } from 'node:path'
import type { JobEngine } from '../jobs/engine'
import type { ScheduleJobs } from '../schedule/jobs'
import type { PostWorkerDeps } from './publish'

export const PUBLISH_QUEUE = 'posts.publish'
export const CHECK_QUEUE = 'posts.check'

/** Jobs keyed by post: a second "send" for the same post while one waits is dropped by pg-boss, never run twice. */
export function postQueues(engine: JobEngine, queues: { publish: string, check: string } = { publish: PUBLISH_QUEUE, check: CHECK_QUEUE }): Pick<PostWorkerDeps, 'sendPublish' | 'sendCheck'> & ScheduleJobs {
  return {
    sendPublish: (data, options) => engine.send(queues.publish, data, { ...options, singletonKey: `post:${data.postId}` }),
    sendPublishMany: async jobs => (await engine.sendMany(queues.publish, jobs.map(({ data, startAfter }) => ({ data, startAfter, singletonKey: `post:${data.postId}` })))).length,
    sendCheck: (data, options) => engine.send(queues.check, data, { ...options, singletonKey: `post-check:${data.postId}` }),
    async cancelPublish(postId) {
      const waiting = await engine.boss.findJobs(queues.publish, { key: `post:${postId}`, queued: true })
      if (waiting.length) await engine.boss.cancel(queues.publish, waiting.map(job => job.id))
    },
  }
}

export const scratchFor = (dataDir: string) => join(dataDir, 'tmp', 'publish')
