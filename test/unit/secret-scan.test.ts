import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scanForSecrets } from '../support/secret-scan'

// The run's secret scan must find a token that leaked into a process's output, and name only the file.
describe('the secret scan over a run\'s process output', () => {
  let folder: string
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'reelwise-scan-'))
  })
  afterAll(() => rm(folder, { recursive: true, force: true }))

  it('finds issued tokens in the output that holds them, and nowhere else', async () => {
    await writeFile(join(folder, 'secrets-101.txt'), 'ya29.leaked-access-token-0001\nact.another-token-00002\n')
    await writeFile(join(folder, 'secrets-102.txt'), 'EAAGlong-never-printed-0003\n')
    await writeFile(join(folder, 'app-1.log'), 'Listening on http://127.0.0.1:3000\n[posts] refresh failed: Bearer ya29.leaked-access-token-0001\n')
    await writeFile(join(folder, 'app-2.log'), 'Bearer [redacted]\nact.another-token-00002 and EAAG\n')
    await writeFile(join(folder, 'worker-3.log'), 'worker ready\n')
    expect((await scanForSecrets(folder)).sort((a, b) => a.file.localeCompare(b.file))).toEqual([{ file: 'app-1.log', secrets: 1 }, { file: 'app-2.log', secrets: 1 }])
  })

  it('finds nothing in a folder without output', async () => {
    expect(await scanForSecrets(join(folder, 'missing'))).toEqual([])
  })
})
