import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { inject } from 'vitest'
import { keepProcessOutput } from './secret-scan'

// Real worker processes for the job-engine tests: test/support/job-worker.ts (a test handler), or
// test/support/media-worker.ts (the real media handlers).
const root = resolve(import.meta.dirname, '../..')

export type Worker = { child: ChildProcess, ready: Promise<void>, output: () => string }

export function startWorker(env: Record<string, string>, script = 'test/support/job-worker.ts'): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, DATABASE_URL: inject('databaseUrl'), ...env } })
  let output = ''
  const ready = new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      keepProcessOutput(`worker-${child.pid}`, chunk)
      if (output.includes('worker ready')) done()
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      keepProcessOutput(`worker-${child.pid}`, chunk)
    })
    child.once('exit', code => fail(new Error(`worker exited with ${code}:\n${output}`)))
  })
  return { child, ready, output: () => output }
}

/** Stops a worker with `signal` (SIGTERM lets it hand its jobs back) and waits for it to exit. */
export async function stopWorker(worker: Worker | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return
  const exited = new Promise(done => worker.child.once('exit', done))
  worker.child.kill(signal)
  await exited
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise(done => setTimeout(done, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}
