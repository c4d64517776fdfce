import type { Job } from 'pg-boss'
import type { JobHandler } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runMetricsPull } from '../services/metrics/pull'
import { metricsQueues, type MetricsWorkerDeps } from '../services/metrics/worker'

/** Reads one account's due post metrics (server/services/metrics/pull.ts). */
export function metricsPullHandler(dependencies: () => Promise<MetricsWorkerDeps>): JobHandler<unknown> {
  return async (job: Job<unknown>) => runMetricsPull(await dependencies(), queues['metrics.pull'].payload.parse(job.data))
}

export default metricsPullHandler(async () => {
  const { box, app } = usePlatforms()
  return { db: useDb(), box, app, ...metricsQueues(await useJobs()) }
})
