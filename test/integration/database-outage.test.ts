import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { queues } from '../../server/services/jobs/registry'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { startBuiltApp, waitFor } from '../support/app-server'
import { waitUntil } from '../support/job-workers'
import { queryRows } from '../support/postgres'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'
import { addressOf, startTcpProxy, type TcpProxy } from '../support/tcp-proxy'

const root = resolve(import.meta.dirname, '../..')

// The database is away when the app boots: the job engine keeps trying, with backoff, and /health says 503 until it runs.
// (database-outage-midrun.test.ts cuts it while jobs run.)
describe(`a database that is away at boot, on ${inject('databaseKind')}`, () => {
  describe('at boot', () => {
    const token = randomBytes(24).toString('base64url')
    let scratch: Scratch
    let proxy: TcpProxy
    let dataDir: string

    beforeAll(async () => {
      // A database of its own: no other test's app may work the queue this test watches.
      scratch = await createScratchDatabase(inject('databaseKind'))
      await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(root, 'prisma/migrations')))
      proxy = await startTcpProxy(addressOf(scratch.url), { startCut: true })
      dataDir = await mkdtemp(join(tmpdir(), 'reelwise-outage-boot-'))
    }, 60_000)

    afterAll(async () => {
      await proxy?.close()
      await scratch?.drop()
      await rm(dataDir, { recursive: true, force: true })
    })

    it('answers 503 while the job engine cannot start, keeps trying, then works jobs once the database is back', async () => {
      const app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: proxy.through(scratch.url), MIGRATE_ON_BOOT: 'false', HEALTH_TOKEN: token }, 503)
      let sender: JobEngine | undefined
      const db = createPrisma(scratch.url)
      try {
        const anonymous = await fetch(`${app.url}/health`)
        expect(anonymous.status).toBe(503)
        expect(await anonymous.json()).toEqual({ status: 'unavailable' })
        // Several start attempts fail while the database is away.
        await waitUntil(async () => (app.output().match(/\[jobs\] could not start the job engine/g) ?? []).length >= 2, 20_000, 'a second start attempt')
        const report = await (await fetch(`${app.url}/health`, { headers: { authorization: `Bearer ${token}` } })).json()
        expect(report.failing).toContain('jobs')
        expect(report.checks.jobs.error).toMatch(/not running yet/)

        proxy.restore()
        await waitFor(`${app.url}/health`, app.child, app.output, { status: 200, timeoutMs: 45_000 })
        const ready = await (await fetch(`${app.url}/health`, { headers: { authorization: `Bearer ${token}` } })).json()
        expect(ready.checks.jobs).toEqual({ ok: true })

        // A job sent now is worked by the app's engine: jobs.reconcile, which every role but web works.
        sender = await startJobEngine({ connectionString: scratch.url, works: false, queues: [queues['jobs.reconcile']], handlers: {}, tracker: prismaJobTracker(db) })
        const jobId = (await sender.send('jobs.reconcile', {}))!
        await waitUntil(async () => (await queryRows<{ state: string }>(scratch.url, `SELECT state FROM pgboss.job WHERE id = '${jobId}'`))[0]?.state === 'completed', 20_000, 'the job to complete')
      }
      finally {
        await sender?.stop(1000)
        await db.$disconnect()
        await app.stop()
      }
    }, 120_000)
  })
})
