import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrismaClient } from '../../generated/prisma/client'

const DAY_MS = 24 * 60 * 60 * 1000

export interface CleanupReport {
  sessions: number
  refreshTokens: number
  invites: number
  temporaryFiles: number
}

/**
 * Removes what nobody can use any more: sessions that ended over a week ago, expired refresh tokens,
 * invites that were used, withdrawn or expired over 30 days ago (the audit trail keeps their story), and
 * temporary files older than a day. Running it twice removes nothing the second time.
 */
export async function cleanUp(db: PrismaClient, temporaryDir: string, now = new Date()): Promise<CleanupReport> {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS)
  const monthAgo = new Date(now.getTime() - 30 * DAY_MS)
  const sessions = await db.authSession.deleteMany({ where: { OR: [{ revokedAt: { lt: weekAgo } }, { expiresAt: { lt: weekAgo } }] } })
  // Used tokens stay while their session lives: they are how a replayed token is recognised.
  const refreshTokens = await db.refreshToken.deleteMany({ where: { expiresAt: { lt: now } } })
  const invites = await db.invite.deleteMany({
    where: { OR: [{ acceptedAt: { lt: monthAgo } }, { revokedAt: { lt: monthAgo } }, { expiresAt: { lt: monthAgo } }] },
  })
  return { sessions: sessions.count, refreshTokens: refreshTokens.count, invites: invites.count, temporaryFiles: await removeOldFiles(temporaryDir, now.getTime() - DAY_MS) }
}

async function removeOldFiles(dir: string, olderThanMs: number): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  let removed = 0
  for (const entry of entries) {
    const path = join(dir, entry.name)
    const info = await stat(path).catch(() => undefined)
    if (info && info.mtimeMs < olderThanMs) {
      await rm(path, { recursive: true, force: true })
      removed++
    }
  }
  return removed
}
