import { calendarQuery } from '#shared/calendar'
import { workspaceZone } from '../../../services/schedule/policy'
import { calendarWindow } from '../../../services/schedule/entries'

// A window of the calendar (a month, a week, a list) with its filters, in the workspace's zone; and the drafts
// that have no time yet.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, calendarQuery.parse)
  const [zone, window] = await Promise.all([workspaceZone(useDb(), workspaceId), calendarWindow(useDb(), workspaceId, query)])
  return { zone, ...window }
})
