import fsDriver from 'unstorage/drivers/fs'
import redisDriver from 'unstorage/drivers/redis'
import { join } from 'node:path'

// Key-value storage for small caches: Redis when REDIS_URL is set, so every instance shares them; otherwise files
// in DATA_DIR. (Rate limits have a store of their own: server/utils/rate-limits.ts.)
export default defineNitroPlugin(() => {
  const config = useServerConfig()
  const driver = config.redisUrl
    ? redisDriver({ url: config.redisUrl, base: 'reelwise' })
    : fsDriver({ base: join(config.dataDir, 'kv') })
  useStorage().mount('kv', driver)
})
