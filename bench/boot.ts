// Cold start of the built app: from launching `node .output/server/index.mjs` to the first 200 on /health.
//   npx tsx bench/boot.ts [--quick]
// Scenarios: an existing embedded data directory (a restart, the everyday case), a fresh one (first run:
// PGlite initdb plus migrations), and PostgreSQL at 127.0.0.1:5432. The baseline is a bare Node HTTP server
// started the same way in the same run, so the ratio shows what the app adds over Node itself.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../test/support/app-server'
import { createScratchPostgres } from '../test/support/postgres'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const runs = values.quick ? 3 : 10

if (!existsSync(resolve(root, '.output/server/index.mjs'))) {
  console.error('Build the app first: npm run build')
  process.exit(2)
}

const BASELINE = `require('node:http').createServer((_, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`

async function timeToFirst200(args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ...env }, stdio: 'ignore' })
  try {
    while (performance.now() - started < 60_000) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`)
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(response => response.status === 200, () => false)
      if (ok) return performance.now() - started
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    throw new Error('no 200 within 60 s')
  }
  finally {
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

async function measure(name: string, once: () => Promise<number>): Promise<{ p50: number, max: number }> {
  const samples: number[] = []
  for (let run = 0; run < runs; run++) samples.push(await once())
  const result = { p50: Math.round(percentile(samples, 0.5)), max: Math.round(Math.max(...samples)) }
  console.log(`${name.padEnd(34)} p50 ${String(result.p50).padStart(5)} ms   max ${String(result.max).padStart(5)} ms   (${runs} runs)`)
  return result
}

const scratch = await mkdtemp(join(tmpdir(), 'reelwise-bench-'))
const postgres = await createScratchPostgres('reelwise_bench')
try {
  const baseline = await measure('bare node http server (baseline)', () => timeToFirst200(['-e', BASELINE], {}))

  const existing = join(scratch, 'existing')
  await timeToFirst200(['.output/server/index.mjs'], { DATA_DIR: existing }) // creates and migrates it once
  const restart = await measure('embedded, existing data dir', () => timeToFirst200(['.output/server/index.mjs'], { DATA_DIR: existing }))

  let fresh = 0
  const first = await measure('embedded, fresh data dir (first run)', () => timeToFirst200(['.output/server/index.mjs'], { DATA_DIR: join(scratch, `fresh-${fresh++}`) }))

  await timeToFirst200(['.output/server/index.mjs'], { DATA_DIR: join(scratch, 'pg'), DATABASE_URL: postgres.url })
  const pg = await measure('PostgreSQL, migrated', () => timeToFirst200(['.output/server/index.mjs'], { DATA_DIR: join(scratch, 'pg'), DATABASE_URL: postgres.url }))

  const target = 3000
  console.log(`target: embedded cold start ≤ ${target} ms → ${restart.p50 <= target ? 'met' : 'MISSED'} (existing data dir), ${first.p50 <= target ? 'met' : 'MISSED'} (fresh data dir)`)
  console.log(`RESULT ${JSON.stringify({
    boot_embedded_existing_p50_ms: restart.p50,
    boot_embedded_existing_max_ms: restart.max,
    boot_embedded_fresh_p50_ms: first.p50,
    boot_postgres_p50_ms: pg.p50,
    baseline_node_http_p50_ms: baseline.p50,
    ratio_embedded_existing_vs_baseline: Number((restart.p50 / baseline.p50).toFixed(1)),
    runs,
  })}`)
}
finally {
  await postgres.drop()
  await rm(scratch, { recursive: true, force: true })
}
