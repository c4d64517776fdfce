// Builds the app once per test run, however many projects need it (e2e, and the integration tests that call the API
// over HTTP). Their global setups run in one process but load this file separately, so the promise lives on globalThis.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
const key = Symbol.for('reelwise.test.build')

async function build(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(resolve(root, '.output/server/index.mjs'))) return
  const started = Date.now()
  const child = spawn(process.execPath, [resolve(root, 'node_modules/@nuxt/cli/bin/nuxi.mjs'), 'build'], { cwd: root, env: { ...process.env, NUXT_TELEMETRY_DISABLED: '1' } })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const code = await new Promise<number | null>(done => child.on('exit', done))
  if (code !== 0) throw new Error(`nuxt build failed:\n${output}`)
  // The build must work offline: no font, icon or telemetry fetches, and so no warnings about them.
  // (The list of files written is left out: a chunk may be named after a module called fetch.)
  const networkTrouble = output.split('\n').filter(line => !line.includes('.output/') && /fetch|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|network request/i.test(line))
  if (networkTrouble.length > 0) throw new Error(`nuxt build tried the network:\n${networkTrouble.join('\n')}`)
  console.log(`[build] built the app in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

export function buildAppOnce(): Promise<void> {
  const holder = globalThis as Record<symbol, Promise<void> | undefined>
  holder[key] ??= build()
  return holder[key]
}
