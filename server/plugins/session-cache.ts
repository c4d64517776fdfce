import { SessionCache } from '../services/auth/session-cache'

// One LISTEN connection per process keeps the sessions it remembers honest across instances
// (server/services/auth/session-cache.ts). On the embedded database this process runs, the notifications are read
// from PGlite's answers instead (pglite-socket hands a notification to the connection whose query sent it, never to a
// listener). Not in `nuxt dev`, where the Nuxt process runs PGlite: there every request asks the database.
// A DATABASE_URL that is a PGlite socket (the test suite's) is found out by the cache's probe, and the cache stays off.
export default defineNitroPlugin(() => {
  // A worker takes no user requests (render.yaml runs it as a background service); one that did would still ask the database.
  if (process.argv.includes('--migrate-only') || useServerConfig().role === 'worker') return
  const starting = databaseReady().then((database) => {
    if (database.pglite && !database.embedded) return undefined
    const log = (message: string) => console.info(message)
    const cache = new SessionCache(database.embedded
      ? { embedded: database.embedded, log }
      : { url: database.url, notify: (channel, payload) => database.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`, log })
    cache.start()
    setSessionCache(cache)
    return cache
  })
  beforeDatabaseCloses(async () => {
    const cache = await starting.catch(() => undefined)
    setSessionCache(undefined)
    await cache?.stop()
  })
})
