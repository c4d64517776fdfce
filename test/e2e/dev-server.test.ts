import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApiClient } from '../support/api'
import { fetchHealthReport, freePort, launch, root, stopProcess, TEST_HEALTH_TOKEN, waitFor } from '../support/app-server'

// The README's first command, `npm run dev`, on a fresh data directory with no variables.
describe('npm run dev', () => {
  it('serves the app shell and a passing /health on the embedded defaults, and keeps its data across a server reload', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'reelwise-dev-'))
    const port = await freePort()
    const { child, output } = launch(['node_modules/@nuxt/cli/bin/nuxi.mjs', 'dev', '--port', String(port), '--host', '127.0.0.1'], { DATA_DIR: dataDir, HEALTH_TOKEN: TEST_HEALTH_TOKEN })
    try {
      await waitFor(`http://127.0.0.1:${port}/health`, child, output, { timeoutMs: 180_000 })
      expect(await (await fetchHealthReport(`http://127.0.0.1:${port}`)).json()).toMatchObject({ status: 'ok', database: 'embedded' })
      // A fresh clone leads straight to creating the first account.
      const signup = await fetch(`http://127.0.0.1:${port}/signup`)
      expect(signup.status).toBe(200)
      expect(await signup.text()).toContain('Create the first account')

      // The embedded database belongs to the Nuxt process, so a server reload (here: a touched server file)
      // keeps it open and its rows with it.
      const client = new ApiClient(`http://127.0.0.1:${port}`)
      expect((await client.signUp({ name: 'Dev', email: 'dev@reload.test' })).status).toBe(201)
      const builds = () => output().match(/Nitro server built/g)?.length ?? 0
      const before = builds()
      const file = join(root, 'server/routes/health.get.ts')
      await utimes(file, new Date(), new Date())
      await expect.poll(builds, { timeout: 60_000, interval: 250 }).toBeGreaterThan(before)
      await waitFor(`http://127.0.0.1:${port}/health`, child, output, { timeoutMs: 60_000 })
      expect((await new ApiClient(`http://127.0.0.1:${port}`).signIn('dev@reload.test')).status).toBe(200)
      expect(output().match(/created the embedded database/g)).toHaveLength(1)
      expect(output()).not.toMatch(/already open in process|could not start the database/)
    }
    finally {
      await stopProcess(child)
      await rm(dataDir, { recursive: true, force: true })
    }
    // The waits above allow 180 + 60 + 60 s (a cold `nuxi dev` compiles everything first, slower on a busy machine).
  }, 330_000)
})
