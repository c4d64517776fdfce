import { summariseJobs } from '../../../../services/jobs/tracker'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'jobs.manage')
  return summariseJobs(useDb(), workspaceId)
})
