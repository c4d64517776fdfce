import type { JobHandler } from '../services/jobs/engine'
import { sweepMetrics } from '../services/metrics/sweep'
import { metricsQueues } from '../services/metrics/worker'

// Sends the metrics pulls and follower reads that are due (server/services/metrics/sweep.ts).
const handler: JobHandler<unknown> = async () => sweepMetrics(useDb(), metricsQueues(await useJobs()))
export default handler
