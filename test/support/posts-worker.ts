// A real worker process running the real posts handlers (server/jobs/posts.publish.ts, posts.check.ts) on queues of
// the test's own, with the registry's rules for them; only the heartbeat and retry delay are shortened. YouTube is
// the loopback fake at YOUTUBE_BASE_URL.
//   DATABASE_URL=… MEDIA_ROOT=… SCRATCH_DIR=… POSTS_QUEUE=test_posts ENCRYPTION_KEYS=… YOUTUBE_BASE_URL=… tsx test/support/posts-worker.ts
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../../server/generated/prisma/client'
import { postsCheckHandler } from '../../server/jobs/posts.check'
import { postsPublishHandler } from '../../server/jobs/posts.publish'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { platformApp } from '../../server/services/platforms'
import type { PostWorkerDeps } from '../../server/services/posts/publish'
import { postQueues } from '../../server/services/posts/worker'
import { createSecretBox } from '../../server/services/security/secrets'
import { postsTestQueues } from './test-queues'

const queues = postsTestQueues(process.env.POSTS_QUEUE!)
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }) })
const store = createLocalMediaStore({ root: process.env.MEDIA_ROOT!, appUrl: 'http://127.0.0.1:3000', signingKey: 'posts-worker-test' })
const box = createSecretBox(process.env.ENCRYPTION_KEYS!.split(','))
const server = {
  platforms: { youtube: { clientId: 'yt-chaos-client', clientSecret: 'yt-chaos-secret', baseUrl: process.env.YOUTUBE_BASE_URL! }, instagram: undefined, tiktok: undefined, facebook: undefined },
  appUrl: 'http://127.0.0.1:3000',
}
// The handlers send follow-up jobs through the engine they run in (it exists by the time a job runs).
const dependencies = async (): Promise<PostWorkerDeps> => ({
  db: prisma, box, store, scratchDir: process.env.SCRATCH_DIR!,
  app: platform => platformApp(server.platforms, server.appUrl, platform),
  ...postQueues(engine, { publish: queues.publish.name, check: queues.check.name }),
})

const engine: JobEngine = await startJobEngine({
  connectionString: process.env.DATABASE_URL!,
  works: true,
  queues: [queues.publish, queues.check],
  pollingIntervalSeconds: 0.5,
  expiryCheckSeconds: 1,
  tracker: prismaJobTracker(prisma),
  log: message => console.log(message),
  handlers: { [queues.publish.name]: postsPublishHandler(dependencies), [queues.check.name]: postsCheckHandler(dependencies) },
})
console.log('worker ready')

process.on('SIGTERM', async () => {
  await engine.stop(5000)
  await prisma.$disconnect()
  console.log('worker stopped')
  process.exit(0)
})
