import { Redis } from 'ioredis'
import { createJobStreamSlots, type JobStreamSlots } from '../services/jobs/streams'
import { redisConnectionName } from '../services/system/redis'

let slots: JobStreamSlots | undefined

/** This process's job stream slots: counted per user in Redis when REDIS_URL is set (every web instance), else here. */
export function useJobStreamSlots(): JobStreamSlots {
  if (slots) return slots
  const { redisUrl } = useServerConfig()
  // Made at the first stream, so a process that serves none holds no connection for it.
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000, connectionName: redisConnectionName('job-streams') }) : undefined
  // A dropped connection is retried by ioredis; the error event only needs a listener so it is not fatal.
  redis?.on('error', () => {})
  const current = createJobStreamSlots({ redis, warn: message => console.warn(message) })
  slots = current
  // At shutdown the slots go back at once (not at the end of their lease), then the connection closes.
  beforeDatabaseCloses(async () => {
    slots = undefined
    await current.close()
    await redis?.quit().catch(() => {})
  })
  return current
}

// The open streams' endings, run when this process starts to shut down.
const endings = new Set<() => void>()

/** Registers how to end an open stream at shutdown; returns its unregistering. */
export function endJobStreamAtShutdown(end: () => void): () => void {
  endings.add(end)
  return () => endings.delete(end)
}

/**
 * Ends every open stream, telling each browser to reconnect (to an instance that is not stopping). Nitro drains
 * connections for up to 30 s before its close hook runs; an open stream would hold the whole shutdown that long.
 */
export function endJobStreams(): void {
  for (const end of endings) end()
  endings.clear()
}
