// Key rotation: every stored secret (saved AI keys, platform tokens, OAuth flows in progress) moves from an old key
// to the newest of ENCRYPTION_KEYS with its plain value unchanged; v1 values (before key ids) move too; a row that a
// token refresh changed between the job's read and its write keeps what the refresh saved; a value under a key the
// server no longer has is reported by row and key id, and kept. Last, end to end: a worker started with a new key
// first queues secrets.rotate by itself and the job moves the rows. Runs on a database of its own, so the counts
// are exact.
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { saveAccountTokens } from '../../server/services/platforms/tokens'
import { needsRotation, rotateSecrets } from '../../server/services/security/rotate'
import { createSecretBox, keyIdOf } from '../../server/services/security/secrets'
import { startBuiltApp } from '../support/app-server'
import { waitUntil } from '../support/job-workers'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'

const oldKey = randomBytes(32).toString('base64')
const newKey = randomBytes(32).toString('hex')
const lostKey = randomBytes(32).toString('base64')
const oldBox = createSecretBox([oldKey])
const box = createSecretBox([newKey, oldKey])
// Only the new key: proves a value really moved, rather than still being readable with the old one.
const newOnly = createSecretBox([newKey])

/** A value as it was stored before key ids (`v1.<nonce>.<tag>.<ciphertext>`). */
function v1(plain: string, key: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), nonce)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return ['v1', ...[nonce, cipher.getAuthTag(), body].map(part => part.toString('base64url'))].join('.')
}

describe(`secret rotation on ${inject('databaseKind')}`, () => {
  let scratch: Scratch
  let db: PrismaClient
  let userId: string

  async function workspace(): Promise<string> {
    const id = randomUUID()
    await db.workspace.create({ data: { id, name: 'Rotation', slug: `rotation-${id}` } })
    return id
  }

  async function account(workspaceId: string, access: string, refresh: string | null): Promise<string> {
    const row = await db.socialAccount.create({ data: { workspaceId, platform: 'tiktok', externalId: randomUUID(), accessTokenEnc: access, refreshTokenEnc: refresh } })
    return row.id
  }

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    db = createPrisma(scratch.url)
    userId = (await db.user.create({ data: { email: `rotation-${randomUUID()}@rotation.test` } })).id
  }, 120_000)

  afterAll(async () => {
    await db?.$disconnect()
    await scratch?.drop()
  })

  it('moves every secret under an old key, v1 values too, to the newest key, plain values unchanged', async () => {
    const workspaceId = await workspace()
    await db.aiSettings.create({ data: { workspaceId, provider: 'openai', apiKeyEncrypted: v1('sk-rotate-ai-key', oldKey) } })
    const moved = await account(workspaceId, oldBox.encrypt('access-a'), v1('refresh-a', oldKey))
    const current = box.encrypt('access-b')
    const untouched = await account(workspaceId, current, null)
    const flow = await db.oAuthFlow.create({ data: { workspaceId, userId, platform: 'tiktok', stateHash: randomUUID(), codeVerifierEnc: oldBox.encrypt('verifier-c'), choicesEnc: oldBox.encrypt('[{"id":"c"}]'), expiresAt: new Date(Date.now() + 15 * 60_000) } })
    expect(await needsRotation(db, box)).toBe(true)

    // Batches of two: the cursor walks every row once.
    const report = await rotateSecrets(db, box, { batchSize: 2 })
    expect(report).toMatchObject({ keyId: keyIdOf(newKey), rotated: 5, changedMeanwhile: 0, failed: [] })
    expect(report.summary).toBe(`Re-encrypted 5 secrets under key ${keyIdOf(newKey)}`)

    const settings = await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })
    const a = await db.socialAccount.findUniqueOrThrow({ where: { id: moved } })
    const c = await db.oAuthFlow.findUniqueOrThrow({ where: { id: flow.id } })
    const stored = [settings.apiKeyEncrypted!, a.accessTokenEnc, a.refreshTokenEnc!, c.codeVerifierEnc!, c.choicesEnc!]
    for (const value of stored) expect(value.startsWith(`v2.${keyIdOf(newKey)}.`), value.slice(0, 12)).toBe(true)
    expect(stored.map(value => newOnly.decrypt(value))).toEqual(['sk-rotate-ai-key', 'access-a', 'refresh-a', 'verifier-c', '[{"id":"c"}]'])
    expect((await db.socialAccount.findUniqueOrThrow({ where: { id: untouched } })).accessTokenEnc).toBe(current)

    expect(await needsRotation(db, box)).toBe(false)
    expect((await rotateSecrets(db, box)).rotated).toBe(0)
  })

  it('leaves a row that a token refresh changed between the read and the write as the refresh saved it', async () => {
    const workspaceId = await workspace()
    const refreshed = await account(workspaceId, oldBox.encrypt('access-old'), oldBox.encrypt('refresh-old'))
    const other = await account(workspaceId, oldBox.encrypt('access-other'), null)
    let refreshes = 0
    const report = await rotateSecrets(db, box, {
      afterRead: async (table, ids) => {
        if (table !== 'SocialAccount' || !ids.includes(refreshed)) return
        // A worker refreshes the token (TikTok rotates the refresh token) after the job read the row.
        refreshes += 1
        await saveAccountTokens(db, box, refreshed, { accessToken: 'access-new', refreshToken: 'refresh-new', scopes: [] })
      },
    })
    expect(refreshes).toBe(1)
    expect(report).toMatchObject({ rotated: 1, changedMeanwhile: 1, failed: [] })
    expect(report.summary).toMatch(/1 changed meanwhile and kept as saved/)
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id: refreshed } })
    expect([newOnly.decrypt(row.accessTokenEnc), newOnly.decrypt(row.refreshTokenEnc!)]).toEqual(['access-new', 'refresh-new'])
    expect(newOnly.decrypt((await db.socialAccount.findUniqueOrThrow({ where: { id: other } })).accessTokenEnc)).toBe('access-other')
  })

  it('reports a secret whose key is missing by row and key id, never its value, and keeps it', async () => {
    const workspaceId = await workspace()
    const underLostKey = createSecretBox([lostKey]).encrypt('access-lost')
    const lost = await account(workspaceId, underLostKey, oldBox.encrypt('refresh-kept'))
    const lostV1 = v1('access-lost-v1', lostKey)
    const lostOld = await account(workspaceId, lostV1, null)

    const report = await rotateSecrets(db, box)
    expect(report.rotated).toBe(1)
    expect(report.failed).toEqual([
      { table: 'SocialAccount', id: lost, column: 'accessTokenEnc', keyId: keyIdOf(lostKey), reason: expect.stringContaining(`key ${keyIdOf(lostKey)}, which is not in ENCRYPTION_KEYS`) },
      { table: 'SocialAccount', id: lostOld, column: 'accessTokenEnc', keyId: undefined, reason: expect.stringMatching(/saved before key ids.*any key in ENCRYPTION_KEYS/) },
    ].sort((x, y) => x.id.localeCompare(y.id)))
    const text = JSON.stringify(report)
    for (const value of [underLostKey, lostV1, 'access-lost', 'refresh-kept']) expect(text).not.toContain(value)
    expect(report.summary).toMatch(new RegExp(`2 could not be read and were left as they are: .*key ${keyIdOf(lostKey)}`))

    // Nothing lost: the unreadable values are as they were, and the readable one in the same row moved.
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id: lost } })
    expect(row.accessTokenEnc).toBe(underLostKey)
    expect(newOnly.decrypt(row.refreshTokenEnc!)).toBe('refresh-kept')
    expect((await db.socialAccount.findUniqueOrThrow({ where: { id: lostOld } })).accessTokenEnc).toBe(lostV1)
    expect(createSecretBox([newKey, lostKey]).decrypt(row.accessTokenEnc)).toBe('access-lost')

    // With the lost key back, the next run finishes the job.
    const recovered = createSecretBox([newKey, oldKey, lostKey])
    expect(await rotateSecrets(db, recovered)).toMatchObject({ rotated: 2, failed: [] })
    await db.socialAccount.deleteMany({ where: { id: { in: [lost, lostOld] } } })
  })

  it('a worker started with a new key first queues secrets.rotate itself, and the job moves the rows', async (context) => {
    const workspaceId = await workspace()
    const id = await account(workspaceId, oldBox.encrypt('access-e2e'), v1('refresh-e2e', oldKey))
    const dataDir = await mkdtemp(join(tmpdir(), 'reelwise-rotation-'))
    const app = await startBuiltApp({ APP_ROLE: 'worker', DATA_DIR: dataDir, DATABASE_URL: scratch.url, ENCRYPTION_KEYS: `${newKey},${oldKey}` })
    context.onTestFailed(() => console.log(app.output()))
    try {
      await waitUntil(async () => (await db.jobRun.findFirst({ where: { queue: 'secrets.rotate', state: 'succeeded' } })) !== null, 60_000, 'secrets.rotate to succeed')
      const run = await db.jobRun.findFirstOrThrow({ where: { queue: 'secrets.rotate' } })
      expect(run.result).toMatchObject({ keyId: keyIdOf(newKey), rotated: 2, changedMeanwhile: 0, failed: [] })
      const row = await db.socialAccount.findUniqueOrThrow({ where: { id } })
      expect([newOnly.decrypt(row.accessTokenEnc), newOnly.decrypt(row.refreshTokenEnc!)]).toEqual(['access-e2e', 'refresh-e2e'])
      expect(app.output()).toMatch(/queued secrets\.rotate/)
    }
    finally {
      await app.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
