import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The machine's PostgreSQL (trust auth), used to create and drop scratch databases. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

export interface ScratchDatabase {
  name: string
  url: string
  drop: () => Promise<void>
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    return await work(client)
  }
  finally {
    await client.end()
  }
}

/** A name for a database that does not exist yet (the app may create it itself). */
export function scratchDatabaseName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  return url.toString()
}

export async function dropDatabase(name: string): Promise<void> {
  await admin(client => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))
}

export async function createScratchPostgres(prefix: string): Promise<ScratchDatabase> {
  const name = scratchDatabaseName(prefix)
  await admin(client => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`))
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) }
}

/** Runs one statement on its own connection and returns the rows. */
export async function queryRows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows as T[]
  }
  finally {
    await client.end()
  }
}
