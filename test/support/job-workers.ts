import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { inject } from 'vitest'

// Real worker processes (test/support/job-worker.ts) for the job-engine tests.
const root = resolve(import.meta.dirname, '../..')

export function startWorker(env: Record<string, string>): { child: ChildProcess, ready: Promise<void>, output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/job-worker.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: inject('databaseUrl'), ...env } })
  let output = ''
  const ready = new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('worker ready')) done()
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', code => fail(new Error(`worker exited with ${code}:\n${output}`)))
  })
  return { child, ready, output: () => output }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise(done => setTimeout(done, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}
