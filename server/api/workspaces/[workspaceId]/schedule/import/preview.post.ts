import { scheduleImportRequest, type ScheduleImportPreview } from '#shared/schedule-csv'
import { previewImport } from '../../../../../services/schedule/csv'

// What a CSV of scheduled posts would make, row by row, with each row's problems in words; nothing is written.
export default defineEventHandler(async (event): Promise<ScheduleImportPreview> => {
  const member = await requireMember(event, 'posts.publish')
  const { csv, excludeLines } = await readValidatedBody(event, scheduleImportRequest.parse)
  return previewImport(await useSchedule(), actorOf(member), csv, { excludeLines })
})
