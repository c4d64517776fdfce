import { runHealthChecks } from '../services/system/health'

// Liveness and readiness for Render and Docker: 200 when every check passes, 503 naming the ones that fail.
export default defineEventHandler(async (event) => {
  const config = useServerConfig()
  // Answer even while the database starts: a slow start reads as "database starting", not as a hung probe.
  const timeout = Promise.withResolvers<undefined>()
  const timer = setTimeout(() => timeout.resolve(undefined), 2000)
  const database = await Promise.race([databaseReady().catch(() => undefined), timeout.promise])
  clearTimeout(timer)
  const report = await runHealthChecks({
    query: database ? sql => database.prisma.$queryRawUnsafe<unknown[]>(sql) : undefined,
    shippedMigrations: await shippedMigrations(),
    ffmpegPath: config.ffmpeg.ffmpegPath,
    storage: useMediaStore(),
  })
  setResponseHeader(event, 'Cache-Control', 'no-store')
  setResponseStatus(event, report.status === 'ok' ? 200 : 503)
  return { ...report, role: config.role, database: config.database.embedded ? 'embedded' : 'postgresql' }
})
