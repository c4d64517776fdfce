// Re-encrypts every stored secret that is not under the newest key (after ENCRYPTION_KEYS gained a new first key),
// for the `secrets.rotate` job. Rows are read in batches and each is written back only if its ciphertexts are still
// what was read, so a token refreshed meanwhile is never overwritten with the older token. A row whose key is
// missing is reported and left as it is: nothing is lost, and adding the key back and running again finishes it.
import { Prisma, type PrismaClient } from '../../generated/prisma/client'
import { SecretError, type SecretBox } from './secrets'

/** Every column that holds a SecretBox value. A new one must be listed here, or it stays under an old key. */
export const secretColumns = [
  { table: 'AiSettings', columns: ['apiKeyEncrypted'] },
  { table: 'SocialAccount', columns: ['accessTokenEnc', 'refreshTokenEnc'] },
  { table: 'OAuthFlow', columns: ['codeVerifierEnc', 'choicesEnc'] },
] as const

type Spec = typeof secretColumns[number]
type Row = { id: string } & Record<string, string | null>

export interface RotationFailure { table: string, id: string, column: string, reason: string, keyId?: string }

export interface RotationReport {
  /** The key everything was moved to. */
  keyId: string
  /** Secrets re-encrypted (a row with two counts twice). */
  rotated: number
  /** Rows that changed between the read and the write (a token refresh): left as the other writer saved them. */
  changedMeanwhile: number
  /** Secrets that could not be read (their key is not in ENCRYPTION_KEYS): left as they are. */
  failed: RotationFailure[]
  summary: string
}

export interface RotationOptions {
  batchSize?: number
  /** Called after each batch is read and before it is written: the tests change a row there, as a refresh would. */
  afterRead?: (table: string, ids: string[]) => Promise<void>
}

// Identifiers come only from secretColumns above, never from input.
const name = (identifier: string) => Prisma.raw(`"${identifier}"`)

function staleCondition(spec: Spec, box: SecretBox): Prisma.Sql {
  const current = `v2.${box.currentKeyId}.%`
  return Prisma.join(spec.columns.map(column => Prisma.sql`(${name(column)} IS NOT NULL AND ${name(column)} NOT LIKE ${current})`), ' OR ')
}

async function readBatch(db: PrismaClient, spec: Spec, box: SecretBox, afterId: string, limit: number): Promise<Row[]> {
  return db.$queryRaw<Row[]>`
    SELECT "id"::text AS "id", ${Prisma.join(spec.columns.map(name))} FROM ${name(spec.table)}
    WHERE "id" > ${afterId}::uuid AND (${staleCondition(spec, box)})
    ORDER BY "id" LIMIT ${limit}`
}

/** Writes the new ciphertexts only where every secret column still holds what was read. */
async function writeIfUnchanged(db: PrismaClient, spec: Spec, row: Row, next: Record<string, string>): Promise<boolean> {
  const sets = Prisma.join(Object.entries(next).map(([column, value]) => Prisma.sql`${name(column)} = ${value}`), ', ')
  const unchanged = Prisma.join(spec.columns.map(column => row[column] === null
    ? Prisma.sql`${name(column)} IS NULL`
    : Prisma.sql`${name(column)} = ${row[column]}`), ' AND ')
  const count = await db.$executeRaw`UPDATE ${name(spec.table)} SET ${sets} WHERE "id" = ${row.id}::uuid AND ${unchanged}`
  return count === 1
}

async function rotateTable(db: PrismaClient, box: SecretBox, spec: Spec, report: RotationReport, options: RotationOptions): Promise<void> {
  let afterId = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = await readBatch(db, spec, box, afterId, options.batchSize ?? 100)
    if (rows.length === 0) return
    afterId = rows.at(-1)!.id
    await options.afterRead?.(spec.table, rows.map(row => row.id))
    for (const row of rows) {
      const next: Record<string, string> = {}
      for (const column of spec.columns) {
        const stored = row[column]
        if (stored === null || stored === undefined || box.isCurrent(stored)) continue
        try {
          next[column] = box.encrypt(box.decrypt(stored))
        }
        catch (error) {
          if (!(error instanceof SecretError)) throw error
          report.failed.push({ table: spec.table, id: row.id, column, reason: error.message, keyId: error.keyId })
        }
      }
      const count = Object.keys(next).length
      if (count === 0) continue
      if (await writeIfUnchanged(db, spec, row, next)) report.rotated += count
      else report.changedMeanwhile += 1
    }
  }
}

function summarise(report: RotationReport): string {
  const parts = [`Re-encrypted ${report.rotated} secret${report.rotated === 1 ? '' : 's'} under key ${report.keyId}`]
  if (report.changedMeanwhile) parts.push(`${report.changedMeanwhile} changed meanwhile and kept as saved`)
  if (report.failed.length) {
    // The reasons name key ids and formats, never values.
    parts.push(`${report.failed.length} could not be read and were left as they are: ${[...new Set(report.failed.map(failure => failure.reason))].join(' ')}`)
  }
  return parts.join('; ')
}

export async function rotateSecrets(db: PrismaClient, box: SecretBox, options: RotationOptions = {}): Promise<RotationReport> {
  const report: RotationReport = { keyId: box.currentKeyId, rotated: 0, changedMeanwhile: 0, failed: [], summary: '' }
  for (const spec of secretColumns) await rotateTable(db, box, spec, report, options)
  report.summary = summarise(report)
  return report
}

/** Whether any stored secret is not under the newest key: the worker queues secrets.rotate at start when so. */
export async function needsRotation(db: PrismaClient, box: SecretBox): Promise<boolean> {
  for (const spec of secretColumns) {
    const rows = await db.$queryRaw<{ id: string }[]>`SELECT "id"::text AS "id" FROM ${name(spec.table)} WHERE ${staleCondition(spec, box)} LIMIT 1`
    if (rows.length > 0) return true
  }
  return false
}
