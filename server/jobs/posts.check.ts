import type { Job } from 'pg-boss'
import type { JobHandler } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runCheck } from '../services/posts/check'
import type { PostWorkerDeps } from '../services/posts/publish'
import { postQueues, scratchFor } from '../services/posts/worker'

/** Checks, read-only, a post the platform still processes (server/services/posts/check.ts). */
export function postsCheckHandler(dependencies: () => Promise<PostWorkerDeps>): JobHandler<unknown> {
  return async (job: Job<unknown>) => runCheck(await dependencies(), queues['posts.check'].payload.parse(job.data))
}

export default postsCheckHandler(async () => {
  const { box, app } = usePlatforms()
  return { db: useDb(), box, app, store: useMediaStore(), scratchDir: scratchFor(useServerConfig().dataDir), ...postQueues(await useJobs()) }
})
