import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { diffSchemaAgainstMigrations } from '../../scripts/lib/drift'

const root = resolve(import.meta.dirname, '../..')
const schema = readFileSync(resolve(root, 'prisma/schema.prisma'), 'utf8')

describe('schema.prisma and prisma/migrations', () => {
  it('agree: replaying the migrations gives exactly the schema (otherwise run npm run db:diff -- --name <change>)', async () => {
    const migrations = await readMigrationsDir(resolve(root, 'prisma/migrations'))
    expect(migrations.length).toBeGreaterThan(0)
    expect(await diffSchemaAgainstMigrations(migrations, schema)).toBe('')
  })

  it('would catch a change made to the schema without a migration', async () => {
    const migrations = await readMigrationsDir(resolve(root, 'prisma/migrations'))
    const changed = schema.replace(/^(\s+slug\s+String\s+@unique\n)/m, '$1  brandColor String?\n')
    expect(changed).not.toBe(schema)
    expect(await diffSchemaAgainstMigrations(migrations, changed)).toMatch(/ALTER TABLE "Workspace" ADD COLUMN\s+"brandColor" TEXT/)
  })
})
