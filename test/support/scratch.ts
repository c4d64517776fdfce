import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import { inject } from 'vitest'
import { PrismaClient } from '../../server/generated/prisma/client'
import { startEmbeddedDatabase } from '../../server/services/db/embedded'
import { createScratchPostgres } from './postgres'

export interface Scratch {
  url: string
  drop: () => Promise<void>
}

/**
 * Puts an empty embedded database in `dataDir`, as a first start leaves it: a copy of the run's initdb'd data directory
 * (test/support/database.global.ts), since initdb costs PGlite about 4 CPU-seconds. Without one (the e2e project),
 * nothing: the database is then made on its first start.
 */
export async function copyEmptyDatabase(dataDir: string): Promise<void> {
  const template = inject('pgliteScratchTemplate')
  if (template) await cp(template, join(dataDir, 'pglite'), { recursive: true })
}

/** An empty database of the given kind, for tests that need a blank slate (migrations, say). */
export async function createScratchDatabase(kind: 'pglite' | 'postgres'): Promise<Scratch> {
  if (kind === 'postgres') return createScratchPostgres('reelwise_scratch')
  const dir = await mkdtemp(join(tmpdir(), 'reelwise-scratch-'))
  await copyEmptyDatabase(dir)
  const embedded = await startEmbeddedDatabase(dir)
  return {
    url: embedded.url,
    async drop() {
      await embedded.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export function createPrisma(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) })
}
