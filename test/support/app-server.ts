import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { keepProcessOutput } from './secret-scan'

export const root = resolve(import.meta.dirname, '../..')

export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

/** The HEALTH_TOKEN every test app gets (unless a test sets its own), so tests can read /health's full report. */
export const TEST_HEALTH_TOKEN = 'test-health-token-for-the-full-report'

/** /health with TEST_HEALTH_TOKEN: the full report (checks, versions, role), not only the status. */
export function fetchHealthReport(url: string): Promise<Response> {
  return fetch(`${url}/health`, { headers: { authorization: `Bearer ${TEST_HEALTH_TOKEN}` } })
}

export interface RunningApp {
  url: string
  child: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

// Only what a fresh machine has: no variables leak in from the developer's shell.
function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NUXT_TELEMETRY_DISABLED: '1', ...env }
}

// A test process run with V8's baseline wasm compiler only (the unit and integration projects, vitest.config.ts) starts its apps
// the same way: they too live seconds.
const wasmTier = process.execArgv.filter(flag => flag === '--liftoff-only')

/** Spawns a command from the project root and collects its output. */
export function launch(args: string[], env: Record<string, string>): { child: ChildProcess, output: () => string } {
  const child = spawn(process.execPath, [...wasmTier, ...args], { cwd: root, env: baseEnv(env), detached: true })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    keepProcessOutput(`app-${child.pid}`, chunk)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return { child, output: () => output }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  // The whole group: `nuxt dev` runs its server in a child of its own.
  process.kill(-child.pid!, 'SIGTERM')
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Polls `url` until it answers with `status`, the process exits, or the time runs out. */
export async function waitFor(url: string, child: ChildProcess, output: () => string, { status = 200, timeoutMs = 60_000 } = {}): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}:\n${output()}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
      if (response.status === status) return response
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`
    }
    catch (error) {
      last = (error as Error).message
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})\n${output()}`)
}

/** Starts the built app (`node .output/server/index.mjs`) and waits for `/health` to answer `expectStatus`. */
export async function startBuiltApp(env: Record<string, string>, expectStatus = 200): Promise<RunningApp> {
  // A restart passes the old PORT and APP_URL, so clients keep their URLs.
  const port = env.PORT ?? String(await freePort())
  const url = env.APP_URL ?? `http://127.0.0.1:${port}`
  // Test files share one database (and Redis), and every request comes from 127.0.0.1: each app counts its own rate limits,
  // as separate deployments would, unless the test gives two apps one namespace.
  const namespace = env.RATE_LIMIT_NAMESPACE ?? `test-${Math.random().toString(36).slice(2, 10)}`
  const { child, output } = launch(['.output/server/index.mjs'], { PORT: port, APP_URL: url, RATE_LIMIT_NAMESPACE: namespace, HEALTH_TOKEN: TEST_HEALTH_TOKEN, ...env })
  try {
    await waitFor(`${url}/health`, child, output, { status: expectStatus })
  }
  catch (error) {
    await stopProcess(child)
    throw error
  }
  return { url, child, output, stop: () => stopProcess(child) }
}

/** Runs the built app to completion (for start-up failures and --migrate-only) and returns its exit code and output. */
export async function runBuiltApp(args: string[], env: Record<string, string>): Promise<{ code: number | null, output: string }> {
  const port = await freePort()
  const { child, output } = launch(['.output/server/index.mjs', ...args], { PORT: String(port), ...env })
  const timer = setTimeout(() => stopProcess(child), 60_000)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(timer)
  return { code, output: output() }
}
