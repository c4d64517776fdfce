import type { JobHandler } from '../services/jobs/engine'
import { notifySettledPosts } from '../services/notifications/notify'
import { sweepPosts } from '../services/posts/sweep'
import { postQueues } from '../services/posts/worker'
import { extendSeries } from '../services/schedule/series'

// Makes recurring posts' next occurrences (server/services/schedule/series.ts), sends what posts are owed, fails
// the ones that went silent (server/services/posts/sweep.ts), and tells authors how their finished posts went
// (server/services/notifications/notify.ts).
const handler: JobHandler<unknown> = async () => {
  const jobs = postQueues(await useJobs())
  const series = await extendSeries(useDb(), jobs)
  const swept = await sweepPosts(useDb(), jobs)
  const notified = await notifySettledPosts(useDb(), useNotifier())
  return { ...swept, series, notified }
}
export default handler
