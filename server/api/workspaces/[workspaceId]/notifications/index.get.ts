import { listNotifications } from '../../../../services/notifications/inbox'

// The signed-in member's notifications in this workspace, newest first, and how many are unread.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'workspace.read')
  return listNotifications(useDb(), workspaceId, user.id)
})
