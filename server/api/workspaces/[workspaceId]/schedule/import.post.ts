import { scheduleImportRequest, type ScheduleImportResult } from '#shared/schedule-csv'
import { commitImport } from '../../../../services/schedule/csv'

// Schedules every row of the CSV not left out, or none: a row with a problem is a 400 naming the rows.
export default defineEventHandler(async (event): Promise<ScheduleImportResult> => {
  const member = await requireMember(event, 'posts.publish')
  const { csv, excludeLines } = await readValidatedBody(event, scheduleImportRequest.parse)
  const result = await commitImport(await useSchedule(), actorOf(member), csv, { excludeLines })
  setResponseStatus(event, 201)
  return result
})
