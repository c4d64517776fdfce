import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { readMigrationStatus } from '../../server/services/db/migration-status'
import { queryRows } from '../support/postgres'
import { createScratchDatabase, type Scratch } from '../support/scratch'

const migrations = await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations'))

describe(`migrations on ${inject('databaseKind')}`, () => {
  let scratch: Scratch
  beforeEach(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
  })
  afterEach(() => scratch.drop())

  it('applies every migration to an empty database, then nothing on a second run', async () => {
    const first = await migrateIfBehind(scratch.url, migrations)
    expect(first).toEqual(migrations.map(migration => migration.name))
    expect(await migrateIfBehind(scratch.url, migrations)).toEqual([])

    const tables = await queryRows<{ table_name: string }>(scratch.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
    expect(tables.map(row => row.table_name)).toEqual(expect.arrayContaining(['User', 'Workspace', 'Post', 'MetricSnapshot', 'AuditEvent', '_prisma_migrations']))
  })

  it('writes _prisma_migrations as prisma migrate deploy does (sha256 checksums, finished, one step)', async () => {
    await migrateIfBehind(scratch.url, migrations)
    const applied = await queryRows<{ migration_name: string, checksum: string, finished_at: Date | null, applied_steps_count: number }>(
      scratch.url, 'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name')
    expect(applied).toHaveLength(migrations.length)
    applied.forEach((row, index) => {
      const migration = migrations[index]!
      expect(row.migration_name).toBe(migration.name)
      expect(row.checksum).toBe(createHash('sha256').update(migration.sql).digest('hex'))
      expect(row.finished_at).toBeInstanceOf(Date)
      expect(row.applied_steps_count).toBe(1)
    })
  })

  it('reports a migration that failed part-way and refuses to go on until a person resolves it', async () => {
    await migrateIfBehind(scratch.url, migrations)
    const broken = [...migrations, { name: '29990101000000_broken', sql: 'CREATE TABLE "Broken" (id int);\nSELECT no_such_function();\n' }]
    await expect(migrateIfBehind(scratch.url, broken)).rejects.toThrow(/no_such_function/)

    const status = await readMigrationStatus(sql => queryRows(scratch.url, sql), broken)
    expect(status).toMatchObject({ current: false, failed: ['29990101000000_broken'] })
    await expect(migrateIfBehind(scratch.url, broken)).rejects.toThrow(/failed part-way.*prisma migrate resolve/)
  })

  it('applies a migration with a function body (semicolons inside dollar quotes) whole, as prisma migrate deploy does', async () => {
    const withFunction = [...migrations, {
      name: '29990101000000_function',
      sql: 'CREATE FUNCTION "answer"() RETURNS int LANGUAGE plpgsql AS $$\nDECLARE result int;\nBEGIN\n  result := 42;\n  RETURN result;\nEND\n$$;\n',
    }]
    expect(await migrateIfBehind(scratch.url, withFunction)).toContain('29990101000000_function')
    expect(await queryRows(scratch.url, 'SELECT "answer"() AS answer')).toEqual([{ answer: 42 }])
  })

  it('says which migrations are pending', async () => {
    const status = await readMigrationStatus(sql => queryRows(scratch.url, sql), migrations)
    expect(status).toEqual({ current: false, applied: 0, pending: migrations.map(migration => migration.name), failed: [] })
  })
})
