// The e2e suite drives the built app, exactly as production runs it, so it builds first.
// E2E_SKIP_BUILD=1 reuses an existing .output when iterating on tests alone.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export default function setup() {
  const root = resolve(import.meta.dirname, '../..')
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(resolve(root, '.output/server/index.mjs'))) return
  const nuxi = resolve(root, 'node_modules/@nuxt/cli/bin/nuxi.mjs')
  const started = Date.now()
  const result = spawnSync(process.execPath, [nuxi, 'build'], { cwd: root, encoding: 'utf8', env: { ...process.env, NUXT_TELEMETRY_DISABLED: '1' } })
  if (result.status !== 0) throw new Error(`nuxt build failed:\n${result.stdout}\n${result.stderr}`)
  // The build must work offline: no font, icon or telemetry fetches, and so no warnings about them.
  const networkTrouble = `${result.stdout}\n${result.stderr}`.split('\n').filter(line => /fetch|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|network request/i.test(line))
  if (networkTrouble.length > 0) throw new Error(`nuxt build tried the network:\n${networkTrouble.join('\n')}`)
  console.log(`[e2e] built the app in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
