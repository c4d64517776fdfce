// The checks behind GET /health. Each runs with a time limit and reports what failed in words an operator can act on.
// Anyone may ask whether the app is ok; the report itself goes only to the install's admins (see isInstallAdmin) or
// to a caller with HEALTH_TOKEN (server/routes/health.get.ts).
import type { PrismaClient } from '../../generated/prisma/client'
import type { JobEngineStatus } from '../jobs/boot'
import { checkMediaStoreWritable } from '../media/storage/check'
import type { MediaStore } from '../media/storage/types'
import { readFfmpegVersion, resolveFfmpegPath } from '../media/ffmpeg'
import { readMigrationStatus } from '../db/migration-status'

export interface HealthDependencies {
  /** Runs SQL on the app's database; undefined while the database is still starting. */
  query?: (sql: string) => Promise<unknown[]>
  shippedMigrations: { name: string }[]
  ffmpegPath?: string
  storage: MediaStore
  /** This process's job engine; undefined where none is meant to run (the checks' own tests). */
  jobs?: JobEngineStatus
  /** The clock behind the storage check's cache. */
  now?: () => number
}

export interface CheckResult {
  ok: boolean
  error?: string
  [detail: string]: unknown
}

export interface HealthReport {
  status: 'ok' | 'unavailable'
  failing: string[]
  checks: Record<'database' | 'migrations' | 'ffmpeg' | 'storage', CheckResult> & { jobs?: CheckResult }
}

const CHECK_TIMEOUT_MS = 3000
/**
 * `ffmpeg -version` starts a process, which on a loaded machine (renders running beside the web server) took more than
 * 3 s: a working server reported unavailable. It gets longer; a missing or wrong ffmpeg still fails at once, and a hung
 * one is killed by readFfmpegVersion's own limit first. With the cache below, a probe waits for it once a minute at most.
 */
const FFMPEG_CHECK_TIMEOUT_MS = 12_000
/** The storage round trip (a write, a read, a delete; S3 requests that cost money) runs at most this often per store. */
export const STORAGE_CHECK_TTL_MS = 30_000
/**
 * A found ffmpeg is trusted this long before `ffmpeg -version` runs again: a load balancer probing every few seconds
 * would otherwise start a process each time, and on a loaded machine that start alone can outlast the time limit and
 * report a working server as unavailable. A failure is never kept: a fixed FFMPEG_PATH shows at the next probe.
 */
export const FFMPEG_CHECK_TTL_MS = 60_000

const storageChecks = new WeakMap<MediaStore, { at: number, result: Promise<CheckResult> }>()
const ffmpegChecks = new Map<string, { at: number, result: CheckResult }>()

async function check(work: () => Promise<Omit<CheckResult, 'ok'> | undefined>, limitMs = CHECK_TIMEOUT_MS): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${limitMs / 1000} s`)), limitMs)
  })
  try {
    return { ok: true, ...(await Promise.race([work(), timeout]) ?? {}) }
  }
  catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
  finally {
    clearTimeout(timer)
  }
}

export async function runHealthChecks(deps: HealthDependencies): Promise<HealthReport> {
  const query = deps.query
  const [database, migrations, ffmpeg, storage] = await Promise.all([
    check(async () => {
      if (!query) throw new Error('the database is still starting')
      await query('SELECT 1')
      return {}
    }),
    check(async () => {
      if (!query) throw new Error('the database is still starting')
      const status = await readMigrationStatus(query, deps.shippedMigrations)
      if (status.failed.length > 0) throw new Error(`migration ${status.failed.join(', ')} failed part-way; resolve it before starting the app`)
      if (status.pending.length > 0) throw new Error(`${status.pending.length} migration(s) not applied (${status.pending.join(', ')}); run npm run db:migrate`)
      return { applied: status.applied }
    }),
    cachedFfmpegCheck(deps.ffmpegPath, deps.now ?? Date.now),
    cachedStorageCheck(deps.storage, deps.now ?? Date.now),
  ])
  const checks = { database, migrations, ffmpeg, storage, ...(deps.jobs ? { jobs: jobsCheck(deps.jobs) } : {}) }
  const failing = Object.entries(checks).filter(([, result]) => !result.ok).map(([name]) => name)
  return { status: failing.length === 0 ? 'ok' : 'unavailable', failing, checks }
}

async function cachedFfmpegCheck(configuredPath: string | undefined, now: () => number): Promise<CheckResult> {
  const key = configuredPath ?? ''
  const cached = ffmpegChecks.get(key)
  if (cached && now() - cached.at < FFMPEG_CHECK_TTL_MS) return cached.result
  const result = await check(async () => {
    const path = await resolveFfmpegPath(configuredPath)
    if (!path) throw new Error('ffmpeg was not found; install it (apt-get install ffmpeg) or set FFMPEG_PATH')
    return { version: await readFfmpegVersion(path), path }
  }, FFMPEG_CHECK_TIMEOUT_MS)
  if (result.ok) ffmpegChecks.set(key, { at: now(), result })
  else ffmpegChecks.delete(key)
  return result
}

// A probe every few seconds from a load balancer, or anyone on the internet, shares one round trip per 30 s.
function cachedStorageCheck(store: MediaStore, now: () => number): Promise<CheckResult> {
  const cached = storageChecks.get(store)
  if (cached && now() - cached.at < STORAGE_CHECK_TTL_MS) return cached.result
  const result = check(async () => {
    await checkMediaStoreWritable(store)
    return { driver: store.driver }
  })
  storageChecks.set(store, { at: now(), result })
  return result
}

function jobsCheck(status: JobEngineStatus): CheckResult {
  if (status.state === 'running') return { ok: true }
  if (status.state === 'stopped') return { ok: false, error: 'the job engine has stopped: the server is shutting down' }
  return {
    ok: false,
    error: status.lastError
      ? `the job engine is not running yet: ${status.attempts} start attempt(s) failed, the last with "${status.lastError}"; it keeps trying`
      : 'the job engine is not running yet: it is starting',
  }
}

/**
 * Who may read the full report besides a HEALTH_TOKEN holder: the owners and admins of the install's first workspace
 * (the one its first account made). Not "an owner of any workspace": anyone who signs up owns a workspace of their own.
 */
export async function isInstallAdmin(db: PrismaClient, userId: string): Promise<boolean> {
  const first = await db.workspace.findFirst({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } })
  if (!first) return false
  const membership = await db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: first.id, userId } }, select: { role: true } })
  return membership?.role === 'owner' || membership?.role === 'admin'
}
