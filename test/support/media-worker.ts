// A real worker process running the real media handlers (server/jobs/media.render.ts, media.analyse.ts) on a queue of
// the test's own, with the registry's rules for that queue; only heartbeat, retry delay and claim lease are shortened.
// It logs every object it stores or removes ("stored <key>", "removed <prefix>"), so a test counts effects.
//   DATABASE_URL=… MEDIA_ROOT=… SCRATCH_DIR=… MEDIA_QUEUE=test.media_render MEDIA_KIND=render tsx test/support/media-worker.ts
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../../server/generated/prisma/client'
import { mediaAnalyseHandler } from '../../server/jobs/media.analyse'
import { mediaRenderHandler } from '../../server/jobs/media.render'
import { startJobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import type { MediaStore } from '../../server/services/media/storage/types'
import { mediaTestQueue, type MediaKind } from './test-queues'

const url = process.env.DATABASE_URL!
const kind = process.env.MEDIA_KIND as MediaKind
const queue = mediaTestQueue(kind, process.env.MEDIA_QUEUE!, { retryLimit: process.env.MEDIA_RETRY_LIMIT ? Number(process.env.MEDIA_RETRY_LIMIT) : undefined, fair: process.env.MEDIA_FAIR !== '0' })
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) })
const local = createLocalMediaStore({ root: process.env.MEDIA_ROOT!, appUrl: 'http://127.0.0.1:3000', signingKey: 'media-worker-test' })
const store: MediaStore = {
  ...local,
  async putFile(key, path, options) {
    const info = await local.putFile(key, path, options)
    console.log(`stored ${key}`)
    return info
  },
  async deletePrefix(prefix) {
    const removed = await local.deletePrefix(prefix)
    console.log(`removed ${prefix} (${removed})`)
    return removed
  },
}
// `ffmpeg -version` has a 5 s limit, which a machine busy with the rest of the suite can outrun: ask again.
async function mediaTools(tries = 3): ReturnType<typeof locateMediaTools> {
  try {
    return await locateMediaTools()
  }
  catch (error) {
    if (tries <= 1) throw error
    return mediaTools(tries - 1)
  }
}
const tools = await mediaTools()
const dependencies = async () => ({ db: prisma, store, tools, scratchDir: process.env.SCRATCH_DIR! })
const tuning = { claimLeaseMs: Number(process.env.CLAIM_LEASE_MS ?? 4000) }

const engine = await startJobEngine({
  connectionString: url,
  works: true,
  queues: [queue],
  pollingIntervalSeconds: 0.5,
  expiryCheckSeconds: 1,
  tracker: prismaJobTracker(prisma),
  log: message => console.log(message),
  handlers: { [queue.name]: kind === 'render' ? mediaRenderHandler(dependencies, tuning) : mediaAnalyseHandler(dependencies, tuning) },
})
console.log('worker ready')

process.on('SIGTERM', async () => {
  await engine.stop(Number(process.env.JOB_STOP_TIMEOUT_MS ?? 25_000))
  await prisma.$disconnect()
  console.log('worker stopped')
  process.exit(0)
})
