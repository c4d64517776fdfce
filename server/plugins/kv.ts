import fsDriver from 'unstorage/drivers/fs'
import redisDriver from 'unstorage/drivers/redis'
import { join } from 'node:path'

// Key-value storage for rate limits and small caches: Redis when REDIS_URL is set, so every instance
// shares the same counters; otherwise files in DATA_DIR.
export default defineNitroPlugin(() => {
  const config = useServerConfig()
  const driver = config.redisUrl
    ? redisDriver({ url: config.redisUrl, base: 'reelwise' })
    : fsDriver({ base: join(config.dataDir, 'kv') })
  useStorage().mount('kv', driver)
})
