import type { JobHandler } from '../services/jobs/engine'
import { notifySettledPosts } from '../services/notifications/notify'
import { sweepPosts } from '../services/posts/sweep'
import { postQueues } from '../services/posts/worker'

// Sends what posts are owed, fails the ones that went silent (server/services/posts/sweep.ts), and tells authors how
// their finished posts went (server/services/notifications/notify.ts).
const handler: JobHandler<unknown> = async () => {
  const swept = await sweepPosts(useDb(), postQueues(await useJobs()))
  const notified = await notifySettledPosts(useDb(), useNotifier())
  return { ...swept, notified }
}
export default handler
