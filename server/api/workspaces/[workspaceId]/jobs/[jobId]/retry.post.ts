import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { retryJob } from '../../../../../services/jobs/control'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'jobs.manage')
  const { jobId } = await getValidatedRouterParams(event, z.object({ jobId: uuidParam }).parse)
  return retryJob(useDb(), await useJobs(), jobId, workspaceId)
})
