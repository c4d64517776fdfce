import { reconcileStuckRuns } from '../services/jobs/control'

// Records pg-boss's verdict for jobs whose worker vanished, so no run shows "running" for ever. Idempotent.
export default async function jobsReconcile() {
  return { reconciled: await reconcileStuckRuns(useDb()) }
}
