import type { Job } from 'pg-boss'
import type { JobHandler } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runPublish, type PostWorkerDeps } from '../services/posts/publish'
import { postQueues, scratchFor } from '../services/posts/worker'

/** Publishes one post (server/services/posts/publish.ts). Test workers build the same handler with their own queues. */
export function postsPublishHandler(dependencies: () => Promise<PostWorkerDeps>): JobHandler<unknown> {
  return async (job: Job<unknown>) => runPublish(await dependencies(), queues['posts.publish'].payload.parse(job.data))
}

export default postsPublishHandler(async () => {
  const { box, app } = usePlatforms()
  return { db: useDb(), box, app, store: useMediaStore(), scratchDir: scratchFor(useServerConfig().dataDir), ...postQueues(await useJobs()) }
})
