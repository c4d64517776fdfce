import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, launch, stopProcess, waitFor } from '../support/app-server'

// The README's first command, `npm run dev`, on a fresh data directory with no variables.
describe('npm run dev', () => {
  it('serves the app shell and a passing /health on the embedded defaults', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'reelwise-dev-'))
    const port = await freePort()
    const { child, output } = launch(['node_modules/@nuxt/cli/bin/nuxi.mjs', 'dev', '--port', String(port), '--host', '127.0.0.1'], { DATA_DIR: dataDir })
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/health`, child, output, { timeoutMs: 180_000 })
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'embedded' })
      // A fresh clone leads straight to creating the first account.
      const signup = await fetch(`http://127.0.0.1:${port}/signup`)
      expect(signup.status).toBe(200)
      expect(await signup.text()).toContain('Create the first account')
    }
    finally {
      await stopProcess(child)
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
