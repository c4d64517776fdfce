import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { FFMPEG_CHECK_TTL_MS, runHealthChecks, STORAGE_CHECK_TTL_MS, type HealthDependencies } from '../../server/services/system/health'
import { createPrisma } from '../support/scratch'
import { createLocalMediaStore } from '../../server/services/media/storage/local'

const migrations = await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations'))

describe(`health checks on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  let dir: string
  let healthy: HealthDependencies

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    dir = await mkdtemp(join(tmpdir(), 'reelwise-health-'))
    healthy = {
      query: sql => db.$queryRawUnsafe<unknown[]>(sql),
      shippedMigrations: migrations,
      storage: createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'health-test' }),
    }
  })
  afterAll(async () => {
    await db.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('passes with a migrated database, ffmpeg on PATH and writable storage', async () => {
    const report = await runHealthChecks(healthy)
    expect(report.failing).toEqual([])
    expect(report.status).toBe('ok')
    expect(report.checks.ffmpeg.version).toMatch(/^\d+\.\d+/)
    expect(report.checks.migrations.applied).toBe(migrations.length)
  })

  it('names the migrations a database lacks', async () => {
    const report = await runHealthChecks({ ...healthy, shippedMigrations: [...migrations, { name: '29990101000000_future' }] })
    expect(report.failing).toEqual(['migrations'])
    expect(report.checks.migrations.error).toMatch(/29990101000000_future.*npm run db:migrate/)
  })

  it('fails the ffmpeg check with advice when FFMPEG_PATH points nowhere, or at something that is not ffmpeg', async () => {
    const missing = await runHealthChecks({ ...healthy, ffmpegPath: join(dir, 'no-ffmpeg') })
    expect(missing.failing).toEqual(['ffmpeg'])
    const impostor = join(dir, 'fake-ffmpeg')
    await writeFile(impostor, '#!/bin/sh\necho hello\n')
    await chmod(impostor, 0o755)
    const wrong = await runHealthChecks({ ...healthy, ffmpegPath: impostor })
    expect(wrong.checks.ffmpeg.error).toMatch(/did not print an ffmpeg version/)
  })

  it('runs ffmpeg -version once a minute while it works, and at every probe while it does not', async () => {
    // A real ffmpeg behind a wrapper that counts its starts.
    const starts = join(dir, 'ffmpeg-starts')
    const wrapper = join(dir, 'counted-ffmpeg')
    const real = (await runHealthChecks(healthy)).checks.ffmpeg.path as string
    await writeFile(wrapper, `#!/bin/sh\necho start >> '${starts}'\nexec '${real}' "$@"\n`)
    await chmod(wrapper, 0o755)
    const count = async () => (await readFile(starts, 'utf8').catch(() => '')).split('\n').filter(Boolean).length
    let now = 5_000_000
    const probe = (ffmpegPath: string) => runHealthChecks({ ...healthy, ffmpegPath, now: () => now })
    for (let index = 0; index < 4; index++) expect((await probe(wrapper)).checks.ffmpeg).toMatchObject({ ok: true, path: wrapper })
    expect(await count()).toBe(1)
    now += FFMPEG_CHECK_TTL_MS
    expect((await probe(wrapper)).checks.ffmpeg.ok).toBe(true)
    expect(await count()).toBe(2)
    // A failure is looked at again at the next probe, so a fix shows at once.
    const broken = join(dir, 'broken-ffmpeg')
    await writeFile(broken, '#!/bin/sh\necho hello\n')
    await chmod(broken, 0o755)
    expect((await probe(broken)).checks.ffmpeg.ok).toBe(false)
    await writeFile(broken, `#!/bin/sh\nexec '${wrapper}' "$@"\n`)
    expect((await probe(broken)).checks.ffmpeg.ok).toBe(true)
    expect(await count()).toBe(3)
  })

  it('counts a slow ffmpeg start as working: a loaded machine can take seconds to start it', async () => {
    // In CI beside two other suites a bare `ffmpeg -version` outlasted the 3 s every other check has.
    const real = (await runHealthChecks(healthy)).checks.ffmpeg.path as string
    const slow = join(dir, 'slow-ffmpeg')
    await writeFile(slow, `#!/bin/sh\nsleep 3.5\nexec '${real}' "$@"\n`)
    await chmod(slow, 0o755)
    const report = await runHealthChecks({ ...healthy, ffmpegPath: slow, now: () => 9_000_000 })
    expect(report.checks.ffmpeg).toMatchObject({ ok: true, path: slow })
    expect(report.failing).toEqual([])
  })

  it('fails the storage check when the media folder cannot be written', async () => {
    const blocker = join(dir, 'a-file')
    await writeFile(blocker, 'not a folder')
    const report = await runHealthChecks({ ...healthy, storage: createLocalMediaStore({ root: join(blocker, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'health-test' }) })
    expect(report.failing).toEqual(['storage'])
    expect(report.checks.storage.error).toMatch(/ENOTDIR|not a directory/)
  })

  it('makes the storage round trip once per 30 s per store, then again, and reports a job engine that is not running', async () => {
    const store = createLocalMediaStore({ root: join(dir, 'cached-media'), appUrl: 'http://127.0.0.1', signingKey: 'health-test' })
    let writes = 0
    const counted: typeof store = {
      ...store,
      driver: store.driver,
      put(...args) {
        writes++
        return store.put(...args)
      },
    }
    let now = 1_000_000
    const probe = (jobs?: HealthDependencies['jobs']) => runHealthChecks({ ...healthy, storage: counted, now: () => now, jobs })
    for (let index = 0; index < 5; index++) expect((await probe()).checks.storage.ok).toBe(true)
    expect(writes).toBe(1)
    now += STORAGE_CHECK_TTL_MS - 1
    await probe()
    expect(writes).toBe(1)
    now += 1
    await probe()
    expect(writes).toBe(2)

    const retrying = await probe({ state: 'starting', attempts: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:5432' })
    expect(retrying.status).toBe('unavailable')
    expect(retrying.failing).toEqual(['jobs'])
    expect(retrying.checks.jobs?.error).toMatch(/not running yet: 3 start attempt\(s\) failed.*ECONNREFUSED/)
    expect((await probe({ state: 'running', attempts: 3 })).status).toBe('ok')
  })

  it('reports a database that is still starting, or that does not answer', async () => {
    const starting = await runHealthChecks({ ...healthy, query: undefined })
    expect(starting.failing).toEqual(['database', 'migrations'])
    expect(starting.checks.database.error).toMatch(/still starting/)
    const down = createPrisma('postgresql://postgres@127.0.0.1:1/none')
    const unreachable = await runHealthChecks({ ...healthy, query: sql => down.$queryRawUnsafe<unknown[]>(sql) })
    expect(unreachable.failing).toEqual(['database', 'migrations'])
    await down.$disconnect()
  })
})
