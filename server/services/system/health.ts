// The checks behind GET /health. Each runs with a time limit and reports what failed in words an operator can act on.
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
}

export interface CheckResult {
  ok: boolean
  error?: string
  [detail: string]: unknown
}

export interface HealthReport {
  status: 'ok' | 'fail'
  failing: string[]
  checks: Record<'database' | 'migrations' | 'ffmpeg' | 'storage', CheckResult>
}

const CHECK_TIMEOUT_MS = 3000

async function check(work: () => Promise<Omit<CheckResult, 'ok'> | undefined>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS)
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
    check(async () => {
      const path = await resolveFfmpegPath(deps.ffmpegPath)
      if (!path) throw new Error('ffmpeg was not found; install it (apt-get install ffmpeg) or set FFMPEG_PATH')
      return { version: await readFfmpegVersion(path), path }
    }),
    check(async () => {
      await checkMediaStoreWritable(deps.storage)
      return { driver: deps.storage.driver }
    }),
  ])
  const checks = { database, migrations, ffmpeg, storage }
  const failing = Object.entries(checks).filter(([, result]) => !result.ok).map(([name]) => name)
  return { status: failing.length === 0 ? 'ok' : 'fail', failing, checks }
}
