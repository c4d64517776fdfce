// The seed's "templates": a response cache keyed by hash(provider, model and server, prompt version, normalised input).
// A repeated request is answered from here with no call to the provider, and logged as a hit. Scoped to the workspace,
// so one tenant's prompts and answers never reach another.
import { createHash } from 'node:crypto'
import type { PrismaClient } from '../../generated/prisma/client'
import { uuidv7 } from '../ids'

// Answers go stale as models and measurements move; a month keeps a week's reruns free.
const CACHE_DAYS = 30

/** Keys sorted, undefined dropped, runs of whitespace in text made one space: equal meaning, equal key. */
export function normaliseInput(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ')
  if (Array.isArray(value)) return value.map(normaliseInput)
  if (value instanceof Date) return value.toISOString()
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, entry]) => [key, normaliseInput(entry)]))
  }
  return value
}

export function cacheKey(parts: { provider: string, model: string, baseUrl: string | null, promptVersion: string, input: unknown, media?: string }): string {
  const canonical = JSON.stringify([parts.provider, parts.model, parts.baseUrl ?? '', parts.promptVersion, normaliseInput(parts.input), parts.media ?? ''])
  return createHash('sha256').update(canonical).digest('hex')
}

export interface CacheHitLedger {
  userId?: string | null
  provider: string
  purpose: string
  promptVersion: string
}

/**
 * A hit in one round trip: the entry's hit count rises and the ledger row of the hit is written by the same statement
 * (a hit is the path that must be fast). The row names the model stored with the answer. Null on a miss.
 */
export async function takeFromCache(
  db: PrismaClient,
  workspaceId: string,
  key: string,
  ledger: CacheHitLedger,
  // The AiSettings version the key was made with (its updatedAt, or null for no row): when given, the hit only counts
  // if the settings are still that version, so a key made from remembered settings is checked in the same statement.
  settingsVersion?: Date | null,
): Promise<{ response: unknown, aiCallId: string } | null> {
  const aiCallId = uuidv7()
  const checked = settingsVersion !== undefined
  const rows = await db.$queryRaw<{ response: unknown }[]>`
    WITH hit AS (
      UPDATE "AiCacheEntry" SET "hitCount" = "hitCount" + 1, "lastHitAt" = now()
      WHERE "workspaceId" = ${workspaceId}::uuid AND key = ${key} AND ("expiresAt" IS NULL OR "expiresAt" > now())
        AND (NOT ${checked} OR (SELECT "updatedAt" FROM "AiSettings" WHERE "workspaceId" = ${workspaceId}::uuid) IS NOT DISTINCT FROM ${settingsVersion ?? null}::timestamptz)
      RETURNING response
    ), logged AS (
      INSERT INTO "AiCall" (id, "workspaceId", "userId", provider, model, purpose, "promptVersion", "cacheHit", status, "createdAt")
      SELECT ${aiCallId}::uuid, ${workspaceId}::uuid, ${ledger.userId ?? null}::uuid, ${ledger.provider}, COALESCE(hit.response->>'model', ''),
        ${ledger.purpose}, ${ledger.promptVersion}, true, 'succeeded'::"AiCallStatus", now()
      FROM hit
    )
    SELECT response FROM hit`
  return rows[0] ? { response: rows[0].response, aiCallId } : null
}

export async function writeCache(db: PrismaClient, entry: { workspaceId: string, key: string, provider: string, model: string, promptVersion: string, response: unknown }): Promise<void> {
  const expiresAt = new Date(Date.now() + CACHE_DAYS * 86_400_000)
  const response = entry.response as object
  await db.aiCacheEntry.upsert({
    where: { workspaceId_key: { workspaceId: entry.workspaceId, key: entry.key } },
    create: { workspaceId: entry.workspaceId, key: entry.key, provider: entry.provider, model: entry.model, promptVersion: entry.promptVersion, response, expiresAt },
    update: { response, expiresAt },
  })
}
