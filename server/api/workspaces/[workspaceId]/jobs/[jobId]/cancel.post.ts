import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { cancelJob } from '../../../../../services/jobs/control'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'jobs.manage')
  const { jobId } = await getValidatedRouterParams(event, z.object({ jobId: uuidParam }).parse)
  return cancelJob(useDb(), await useJobs(), jobId, workspaceId)
})
