import type { Job } from 'pg-boss'
import { recordJobResult } from '../services/jobs/tracker'
import { connectors } from '../services/platforms'
import { connectorLookup, refreshDueAccounts } from '../services/platforms/refresh-sweep'

// Refreshes every active account whose token expires soon (server/services/platforms/refresh-sweep.ts). A refused
// refresh is recorded on its account, never thrown: the other accounts still get theirs.
export default async function accountsRefresh(job: Job<unknown>) {
  const db = useDb()
  const report = await refreshDueAccounts(db, useSecretBox(), connectorLookup(connectors, useServerConfig()))
  await recordJobResult(db, job.id, report)
  return report
}
