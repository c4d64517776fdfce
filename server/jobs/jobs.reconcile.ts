import { reconcileStuckRuns } from '../services/jobs/control'
import { queues } from '../services/jobs/registry'

// Records pg-boss's verdict for jobs whose worker vanished, so no run (and no Video or Render) shows "running"
// for ever: each given-up job's queue settles its row (onFinalFailure). Idempotent.
export default async function jobsReconcile() {
  return { reconciled: await reconcileStuckRuns(useDb(), 5, queues) }
}
