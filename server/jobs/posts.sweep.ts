import type { JobHandler } from '../services/jobs/engine'
import { sweepPosts } from '../services/posts/sweep'
import { postQueues } from '../services/posts/worker'

// Sends what posts are owed and fails the ones that went silent (server/services/posts/sweep.ts).
const handler: JobHandler<unknown> = async () => sweepPosts(useDb(), postQueues(await useJobs()))
export default handler
