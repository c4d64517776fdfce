import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildPgliteTemplate } from '../../scripts/lib/pglite-template'
import { startEmbeddedDatabase } from '../../server/services/db/embedded'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { queryRows } from '../support/postgres'
import { copyEmptyDatabase } from '../support/scratch'

// Runs in the integration:pglite project only (see vitest.config.ts). Each test starts PGlite from an empty data directory,
// often twice: about 6 s a start alone, 15 s while the other suites share the two cores (one took 29.8 s of its 30 in CI).
describe('embedded database', { timeout: 120_000 }, () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-embedded-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  // An existing data directory, as after a first start, for the tests about serving and locking, not creating.
  async function existing(): Promise<string> {
    await copyEmptyDatabase(dir)
    return dir
  }

  it('keeps its rows across a close and a reopen of the data directory', async () => {
    const first = await startEmbeddedDatabase(dir)
    await queryRows(first.url, 'CREATE TABLE notes (body text); INSERT INTO notes VALUES (\'kept\')')
    await first.close()
    const second = await startEmbeddedDatabase(dir)
    expect(await queryRows(second.url, 'SELECT body FROM notes')).toEqual([{ body: 'kept' }])
    await second.close()
  })

  it('serves several pg connections at once, with their transactions kept apart', async () => {
    const database = await startEmbeddedDatabase(await existing())
    const a = new pg.Client({ connectionString: database.url })
    const b = new pg.Client({ connectionString: database.url })
    await Promise.all([a.connect(), b.connect()])
    await a.query('CREATE TABLE counters (n int)')
    await a.query('BEGIN')
    await a.query('INSERT INTO counters VALUES (1)')
    const outside = b.query('SELECT count(*)::int AS n FROM counters')
    await a.query('COMMIT')
    expect((await outside).rows[0].n).toBe(1)
    await Promise.all([a.end(), b.end()])
    await database.close()
  })

  it('keeps each connection\'s extended-protocol messages together when many run at once', async () => {
    const database = await startEmbeddedDatabase(await existing())
    const pool = new pg.Pool({ connectionString: database.url, max: 10 })
    // Served message by message, one connection's Bind or Execute met another's unnamed statement or portal
    // ("portal \"\" does not exist"), and the connection then lost track of the protocol.
    const protocolErrors: string[] = []
    pool.on('error', error => protocolErrors.push(error.message))
    try {
      await pool.query('CREATE TABLE entries (owner int, body text)')
      const outcomes = await Promise.allSettled(Array.from({ length: 120 }, async (_, index) => {
        const client = await pool.connect()
        client.on('error', error => protocolErrors.push(error.message))
        try {
          if (index % 2 === 0) {
            await client.query('BEGIN')
            await client.query('INSERT INTO entries (owner, body) VALUES ($1, $2)', [index, `entry ${index}`])
            // A statement of its own per caller, so a Bind that reached another caller's statement shows in the answer.
            const { rows } = await client.query(`SELECT owner, body, ${index} AS asked FROM entries WHERE owner = $1`, [index])
            await client.query('COMMIT')
            return rows[0]?.owner === index && rows[0]?.body === `entry ${index}` && rows[0]?.asked === index
          }
          const { rows } = await client.query(`SELECT $1::int AS echoed, ${index} AS asked`, [index])
          return rows[0]?.echoed === index && rows[0]?.asked === index
        }
        finally {
          client.release()
        }
      }))
      const failures = outcomes.filter(outcome => outcome.status === 'rejected').map(outcome => String((outcome as PromiseRejectedResult).reason))
      expect(failures.slice(0, 3)).toEqual([])
      expect(protocolErrors).toEqual([])
      expect(outcomes.filter(outcome => outcome.status === 'fulfilled' && !outcome.value)).toHaveLength(0)
      expect((await pool.query('SELECT count(*)::int AS n FROM entries')).rows[0].n).toBe(60)
    }
    finally {
      await pool.end().catch(() => {})
      await database.close()
    }
  })

  it('refuses to open a data directory that another live process holds, and says what to do', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
    try {
      await writeFile(join(dir, 'pglite.lock'), String(holder.pid))
      await expect(startEmbeddedDatabase(dir)).rejects.toThrow(new RegExp(`already open in process ${holder.pid}.*own DATA_DIR`))
    }
    finally {
      holder.kill()
    }
  })

  it('starts a new data directory from a migrated template, and ignores the template once the directory exists', async () => {
    const migrations = await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations'))
    const template = await buildPgliteTemplate(migrations)
    let loads = 0
    const loadTemplate = async () => {
      loads++
      return template
    }
    const first = await startEmbeddedDatabase(dir, { loadTemplate })
    expect(await migrateIfBehind(first.url, migrations)).toEqual([])
    await queryRows(first.url, `INSERT INTO "Workspace" (id, name, slug, "updatedAt") VALUES (gen_random_uuid(), 'Mine', 'mine', now())`)
    await first.close()
    const second = await startEmbeddedDatabase(dir, { loadTemplate })
    expect(await queryRows(second.url, 'SELECT slug FROM "Workspace"')).toEqual([{ slug: 'mine' }])
    await second.close()
    expect(loads).toBe(1)
  })

  it('takes over a lock left by a process that crashed', async () => {
    await writeFile(join(dir, 'pglite.lock'), '999999999')
    const database = await startEmbeddedDatabase(await existing())
    expect(await queryRows(database.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }])
    await database.close()
  })

  // The session cache (server/services/auth/session-cache.ts) trusts its memory on the embedded database only because
  // the process hears a revocation before the request that made it is answered.
  describe('notifications, read from the answers as they pass', () => {
    const channel = 'reelwise_test_channel'
    async function withTable() {
      const database = await startEmbeddedDatabase(await existing(), { channels: [channel] })
      await queryRows(database.url, `
        CREATE TABLE sessions (id int PRIMARY KEY, revoked boolean NOT NULL DEFAULT false);
        INSERT INTO sessions SELECT generate_series(1, 50);
        CREATE FUNCTION changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${channel}', 'session:' || NEW.id); RETURN NULL; END $$;
        CREATE TRIGGER sessions_changed AFTER UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION changed();`)
      const heard: string[] = []
      const events: string[] = []
      const stop = database.listen(channel, { heard: payload => heard.push(payload), missed: () => events.push('missed'), deaf: () => events.push('deaf') })
      return { database, heard, events, stop }
    }

    it('hears every connection\'s notification before the connection that committed is answered, and only at commit', async () => {
      const { database, heard, events } = await withTable()
      const pool = new pg.Pool({ connectionString: database.url, max: 8 })
      try {
        // Extended protocol (a parameter), many connections at once: each one's commit was heard when its answer came.
        await Promise.all(Array.from({ length: 40 }, async (_, index) => {
          await pool.query('UPDATE sessions SET revoked = $1 WHERE id = $2', [true, index + 1])
          expect(heard).toContain(`session:${index + 1}`)
        }))
        // In a transaction, with answers far larger than one chunk before it: nothing until COMMIT, then at once.
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          const { rows } = await client.query(`SELECT repeat('x', 200000) AS filler FROM generate_series(1, 10)`)
          expect(rows).toHaveLength(10)
          await client.query('UPDATE sessions SET revoked = false WHERE id = $1', [45])
          await client.query(`SELECT repeat('y', 300000) AS filler`)
          expect(heard).not.toContain('session:45')
          await client.query('COMMIT')
          expect(heard).toContain('session:45')
          // A rolled-back change says nothing.
          await client.query('BEGIN')
          await client.query('UPDATE sessions SET revoked = true WHERE id = 46')
          await client.query('ROLLBACK')
          expect(heard).not.toContain('session:46')
        }
        finally {
          client.release()
        }
        expect(heard).toHaveLength(41)
        expect(events).toEqual([])
      }
      finally {
        await pool.end()
        await database.close()
      }
    })

    it('tells its listeners when a connection stops the session listening, and a channel it was not started with is never heard', async () => {
      const { database, events } = await withTable()
      const other: string[] = []
      database.listen('some_other_channel', { heard: () => {}, missed: () => {}, deaf: () => other.push('deaf') })
      expect(other).toEqual(['deaf'])
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      try {
        await client.query('UNLISTEN *')
        expect(events).toEqual(['deaf'])
      }
      finally {
        await client.end()
        await database.close()
      }
    })
  })
})
