// The seed's "templates": a response cache keyed by hash(provider, model and server, prompt version, normalised input).
// A repeated request is answered from here with no call to the provider, and logged as a hit. Scoped to the workspace,
// so one tenant's prompts and answers never reach another.
import { createHash } from 'node:crypto'
import type { PrismaClient } from '../../generated/prisma/client'

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

export async function readCache(db: PrismaClient, workspaceId: string, key: string): Promise<{ response: unknown } | null> {
  const entry = await db.aiCacheEntry.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, response: true, expiresAt: true } })
  if (!entry || (entry.expiresAt && entry.expiresAt <= new Date())) return null
  await db.aiCacheEntry.update({ where: { id: entry.id }, data: { hitCount: { increment: 1 }, lastHitAt: new Date() } })
  return { response: entry.response }
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
