import { Redis } from 'ioredis'
import pg from 'pg'
import { RateLimits } from '../services/security/rate-limit'
import { redisConnectionName } from '../services/system/redis'

let rateLimits: Promise<RateLimits> | undefined

/** This process's rate limits: counters in Redis when REDIS_URL is set, else in the database (embedded or not). */
export function useRateLimits(): Promise<RateLimits> {
  rateLimits ??= (async () => {
    const { redisUrl, rateLimitNamespace } = useServerConfig()
    if (redisUrl) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectionName: redisConnectionName('rate-limits') })
      // A dropped connection is retried by ioredis; the error event only needs a listener so it is not fatal.
      redis.on('error', () => {})
      beforeDatabaseCloses(async () => {
        await redis.quit()
      })
      return new RateLimits({ redis }, rateLimitNamespace)
    }
    const { url } = await databaseReady()
    const pool = new pg.Pool({ connectionString: url, max: 3 })
    pool.on('error', () => {})
    beforeDatabaseCloses(() => pool.end())
    return new RateLimits({ pool }, rateLimitNamespace)
  })().catch((error) => {
    rateLimits = undefined
    throw error
  })
  return rateLimits
}
