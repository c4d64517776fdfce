import type { JobHandler } from '../services/jobs/engine'
import { rebuildAllLearning } from '../services/analytics/learning'

// Recomputes every workspace's outcomes and pattern sums (server/services/analytics/learning.ts).
const handler: JobHandler<unknown> = async () => rebuildAllLearning(useDb())
export default handler
