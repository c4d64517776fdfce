import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startJobEngine } from '../../server/services/jobs/engine'
import { queues } from '../../server/services/jobs/registry'
import { fetchHealthReport, runBuiltApp, startBuiltApp } from '../support/app-server'
import { databaseUrl, dropDatabase, queryRows, scratchDatabaseName } from '../support/postgres'

const productionSecrets = {
  NODE_ENV: 'production',
  SECRET_KEY: 'e2e-secret-key-that-is-long-enough-for-the-check',
  ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
}

async function appliedMigrations(url: string): Promise<string[]> {
  const rows = await queryRows<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL')
  return rows.map(row => row.migration_name)
}

describe('starting the built app', () => {
  const databases: string[] = []
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(databases.map(name => dropDatabase(name)))
    await Promise.all(dirs.map(dir => rm(dir, { recursive: true, force: true })))
  })

  async function tempDir() {
    const dir = await mkdtemp(join(tmpdir(), 'reelwise-boot-'))
    dirs.push(dir)
    return dir
  }

  function newDatabase() {
    const name = scratchDatabaseName('reelwise_boot')
    databases.push(name)
    return databaseUrl(name)
  }

  it('stops at once on a bad value, naming the variable and what it should be', async () => {
    const result = await runBuiltApp([], { DATA_DIR: await tempDir(), APP_ROLE: 'banana', DATABASE_URL: 'mysql://nope' })
    expect(result.code).toBe(1)
    expect(result.output).toContain('APP_ROLE must be web, worker or all')
    expect(result.output).toContain('DATABASE_URL must be a postgres:// or postgresql:// connection string')
  })

  it('refuses to start in production without its own secrets', async () => {
    const result = await runBuiltApp([], { DATA_DIR: await tempDir(), NODE_ENV: 'production' })
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/SECRET_KEY must be set to your own random value in production/)
    expect(result.output).toMatch(/ENCRYPTION_KEY must be set/)
  })

  it('with DATABASE_URL at the local PostgreSQL, creates the database, migrates it and serves', async () => {
    const url = newDatabase()
    const app = await startBuiltApp({ DATA_DIR: await tempDir(), DATABASE_URL: url })
    try {
      const health = await (await fetchHealthReport(app.url)).json()
      expect(health).toMatchObject({ status: 'ok', database: 'postgresql' })
      expect(await appliedMigrations(url)).toHaveLength(health.checks.migrations.applied)
      expect((await fetch(`${app.url}/`)).status).toBe(200)
    }
    finally {
      await app.stop()
    }
  })

  it('in production, reports unapplied migrations as 503 until the pre-deploy step (--migrate-only) runs', async () => {
    const url = newDatabase()
    await queryRows(databaseUrl('postgres'), `CREATE DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))}`)
    const env = { ...productionSecrets, DATA_DIR: await tempDir(), DATABASE_URL: url }

    const behind = await startBuiltApp(env, 503)
    // The job engine may still be starting when the first answer comes (its own 503 reason, "starting"): wait that out,
    // so what is left is the migrations alone.
    const deadline = Date.now() + 30_000
    let report: { failing: string[], checks: Record<string, { error?: string }> } = await (await fetchHealthReport(behind.url)).json()
    while (report.failing.includes('jobs') && /starting/.test(report.checks.jobs?.error ?? '') && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 100))
      report = await (await fetchHealthReport(behind.url)).json()
    }
    await behind.stop()
    expect(report.failing).toEqual(['migrations'])
    expect(report.checks.migrations?.error).toMatch(/not applied.*npm run db:migrate/)

    const migrate = await runBuiltApp(['--migrate-only'], env)
    expect(migrate.output).toContain('migrations are current')
    expect(migrate.code).toBe(0)
    expect((await appliedMigrations(url)).length).toBeGreaterThan(0)

    const current = await startBuiltApp(env)
    await current.stop()
  })

  it('will not open an embedded database that another running app holds', async () => {
    const dataDir = await tempDir()
    const first = await startBuiltApp({ DATA_DIR: dataDir })
    try {
      const second = await runBuiltApp([], { DATA_DIR: dataDir })
      expect(second.code).toBe(1)
      expect(second.output).toMatch(new RegExp(`already open in process ${first.child.pid}`))
    }
    finally {
      await first.stop()
    }
  })

  it('reopens its own data directory on restart, already migrated', async () => {
    const dataDir = await tempDir()
    const first = await startBuiltApp({ DATA_DIR: dataDir })
    await first.stop()
    const second = await startBuiltApp({ DATA_DIR: dataDir })
    await second.stop()
    expect(first.output()).toMatch(/created the embedded database/)
    expect(second.output()).not.toMatch(/created the embedded database|applied \d+ migration/)
  })

  it('APP_ROLE=web only sends jobs; APP_ROLE=worker works them', async () => {
    const url = newDatabase()
    const web = await startBuiltApp({ DATA_DIR: await tempDir(), DATABASE_URL: url, APP_ROLE: 'web' })
    const sender = await startJobEngine({ connectionString: url, works: false, queues: Object.values(queues), handlers: {} })
    try {
      const jobId = (await sender.send('maintenance.cleanup', {}))!
      await new Promise(resolve => setTimeout(resolve, 4000))
      expect((await sender.boss.findJobs('maintenance.cleanup', { id: jobId }))[0]?.state).toBe('created')
      const worker = await startBuiltApp({ DATA_DIR: await tempDir(), DATABASE_URL: url, APP_ROLE: 'worker' })
      try {
        await expect.poll(async () => (await sender.boss.findJobs('maintenance.cleanup', { id: jobId }))[0]?.state, { timeout: 20_000, interval: 250 }).toBe('completed')
        expect(worker.output()).toMatch(/\[jobs\] maintenance\.cleanup \S+ done in \d+ ms/)
      }
      finally {
        await worker.stop()
      }
    }
    finally {
      await sender.stop(1000)
      await web.stop()
    }
  })
})
