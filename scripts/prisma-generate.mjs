// Runs `prisma generate` on machines without Prisma's downloadable engines.
// The CLI looks for a schema-engine binary at start-up although generate never uses it,
// so we point it at an existing file when the real engine is absent (see ../shared/ENVIRONMENT.md).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const prismaDir = dirname(require.resolve('prisma/package.json'))
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' }
const hasNativeEngine = readdirSync(prismaDir).some(name => name.startsWith('schema-engine'))
  || existsSync(join(prismaDir, '..', '@prisma', 'engines', 'schema-engine'))
if (!hasNativeEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath

const result = spawnSync(process.execPath, [join(prismaDir, 'build', 'index.js'), 'generate'], { stdio: 'inherit', env })
process.exit(result.status ?? 1)
