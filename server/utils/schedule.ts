import type { Role } from '#shared/permissions'
import type { Actor, ScheduleDeps } from '../services/schedule/create'
import { postQueues } from '../services/posts/worker'

/** What the calendar's routes need: the database, the publish queue, the platforms' apps and the notifier. */
export async function useSchedule(): Promise<ScheduleDeps> {
  const { server, app } = usePlatforms()
  return { db: useDb(), appUrl: server.appUrl, app, jobs: postQueues(await useJobs()), notify: useNotifier() }
}

export const actorOf = (member: { workspaceId: string, user: { id: string }, role: Role }): Actor =>
  ({ workspaceId: member.workspaceId, userId: member.user.id, role: member.role })
