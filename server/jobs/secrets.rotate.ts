import type { Job } from 'pg-boss'
import { recordJobResult } from '../services/jobs/tracker'
import { rotateSecrets } from '../services/security/rotate'

// Moves every stored secret under the newest of ENCRYPTION_KEYS; the Jobs page shows what moved and what could
// not be read (a missing key, by its id). Rows it cannot read stay as they are, so the job succeeds and says so.
export default async function secretsRotate(job: Job<unknown>) {
  const db = useDb()
  const report = await rotateSecrets(db, useSecretBox())
  await recordJobResult(db, job.id, report)
  return { keyId: report.keyId, rotated: report.rotated, changedMeanwhile: report.changedMeanwhile, failed: report.failed.length }
}
