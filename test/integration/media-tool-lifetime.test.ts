// ffmpeg dies with the process that started it, even when it writes nothing (so no broken pipe would stop it):
// a SIGKILLed worker must not leave an encode running for nobody. runMediaTool starts it under `setpriv --pdeathsig`.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { waitUntil } from '../support/job-workers'
import { isRunning, mediaToolsMentioning } from '../support/processes'

const root = resolve(import.meta.dirname, '../..')

describe('a media tool outlives nobody', () => {
  const leftovers: number[] = []
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      }
      catch {
        // already gone
      }
    }
  })

  it('a silent ffmpeg dies when its parent is SIGKILLed', async () => {
    const marker = `lifetime-${randomUUID()}`
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/support/quiet-ffmpeg.ts', marker], { cwd: root, stdio: 'ignore' })
    let encoders: number[] = []
    await waitUntil(async () => {
      encoders = await mediaToolsMentioning(marker)
      return encoders.length > 0
    }, 30_000, 'the parent to start ffmpeg')
    leftovers.push(...encoders)
    const exited = new Promise(done => parent.once('exit', done))
    parent.kill('SIGKILL')
    await exited
    // Seconds, not the five minutes it was asked to run: the kernel sends the parent-death signal at once.
    await waitUntil(async () => !(await Promise.all(encoders.map(isRunning))).some(Boolean), 5_000, 'the orphaned ffmpeg to die')
    expect(await mediaToolsMentioning(marker)).toEqual([])
  })
})
