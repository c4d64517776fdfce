import { createHash, timingSafeEqual } from 'node:crypto'
import type { H3Event } from 'h3'
import { isInstallAdmin, runHealthChecks } from '../services/system/health'

// Liveness and readiness for Render and Docker: 200 when every check passes (the job engine included), 503 otherwise.
// Anyone gets `{ status }` only. Versions, paths, migration names and error text go to a caller with HEALTH_TOKEN
// (a bearer header) or to a signed-in owner or admin of the install's first workspace (isInstallAdmin).
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
    jobs: useJobEngineStatus(),
  })
  setResponseHeader(event, 'Cache-Control', 'no-store')
  setResponseStatus(event, report.status === 'ok' ? 200 : 503)
  if (!await mayReadDetails(event, config.healthToken, Boolean(database))) return { status: report.status }
  return { ...report, role: config.role, database: config.database.embedded ? 'embedded' : 'postgresql' }
})

async function mayReadDetails(event: H3Event, healthToken: string | undefined, databaseUp: boolean): Promise<boolean> {
  const header = getRequestHeader(event, 'authorization')
  if (healthToken && header?.startsWith('Bearer ')) {
    // Digests first: equal lengths for timingSafeEqual, and no early exit that would time out the token's length.
    const digest = (text: string) => createHash('sha256').update(text).digest()
    if (timingSafeEqual(digest(header.slice('Bearer '.length).trim()), digest(healthToken))) return true
  }
  if (!databaseUp) return false
  try {
    return await isInstallAdmin(useDb(), (await requireUser(event)).id)
  }
  catch {
    // Not signed in, or the database is not answering: the short answer.
    return false
  }
}
