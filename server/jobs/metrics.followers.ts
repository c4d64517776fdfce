import type { Job } from 'pg-boss'
import type { JobHandler } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runAccountMetrics } from '../services/metrics/followers'
import type { MetricsWorkerDeps } from '../services/metrics/worker'

/** Reads one account's followers (server/services/metrics/followers.ts). */
export function metricsFollowersHandler(dependencies: () => Promise<Omit<MetricsWorkerDeps, 'sendPull'>>): JobHandler<unknown> {
  return async (job: Job<unknown>) => runAccountMetrics(await dependencies(), queues['metrics.followers'].payload.parse(job.data))
}

export default metricsFollowersHandler(async () => {
  const { box, app } = usePlatforms()
  return { db: useDb(), box, app }
})
