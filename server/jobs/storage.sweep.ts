import type { Job } from 'pg-boss'
import { join } from 'node:path'
import { z } from 'zod'
import { recordJobResult } from '../services/jobs/tracker'
import { sweepMediaRoot, sweepWorkspace } from '../services/maintenance/storage-sweep'

const jobData = z.object({ workspaceId: z.uuid().optional() })

// With no workspace: lists the whole store, removes what deleted workspaces left, and queues one run per workspace.
// With one: that workspace's pass, whose report (bytes reclaimed) its Jobs page shows. Idempotent.
export default async function storageSweep(job: Job<unknown>) {
  const { workspaceId } = jobData.parse(job.data)
  const db = useDb()
  const store = useMediaStore()
  if (!workspaceId) {
    const report = await sweepMediaRoot({ db, store })
    const jobs = await useJobs()
    for (const id of report.workspaceIds) {
      await jobs.send('storage.sweep', { workspaceId: id }, { singletonKey: `storage.sweep:${id}`, singletonSeconds: 23 * 60 * 60 })
    }
    await recordJobResult(db, job.id, report)
    return report
  }
  const report = await sweepWorkspace({
    db,
    store,
    tools: useMediaTools,
    scratchDir: join(useServerConfig().dataDir, 'tmp'),
    queueAnalysis: async video => void await queueVideoAnalysis(video.workspaceId, video.videoId),
  }, workspaceId)
  await recordJobResult(db, job.id, report)
  return report
}
