import { SessionCache } from '../services/auth/session-cache'

// One LISTEN connection per process keeps the sessions it remembers honest across instances
// (server/services/auth/session-cache.ts). Not on the embedded database: pglite-socket hands a notification to the
// connection whose query sent it, never to a listener, so there every request asks PGlite (in this process anyway).
// A DATABASE_URL that is a PGlite socket (the test suite's) is found out by the cache's probe, and the cache stays off.
export default defineNitroPlugin(() => {
  // A worker takes no user requests (render.yaml runs it as a background service); one that did would still ask the database.
  if (process.argv.includes('--migrate-only') || useServerConfig().role === 'worker') return
  const starting = databaseReady().then((database) => {
    if (database.pglite) return undefined
    const cache = new SessionCache({
      url: database.url,
      notify: (channel, payload) => database.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`,
      log: message => console.info(message),
    })
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
