import { join } from 'node:path'
import { cleanUp } from '../services/maintenance/cleanup'

// Removes ended sessions, stale invites and old temporary files. Idempotent: a second run finds nothing.
export default async function maintenanceCleanup() {
  return cleanUp(useDb(), join(useServerConfig().dataDir, 'tmp'))
}
