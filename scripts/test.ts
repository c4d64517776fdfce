// `npm test`: every Vitest project, in four processes. Vitest runs one file at a time on two cores (CPUs − 1),
// and a project whose files must not overlap (the e2e files, each with a server and a browser) runs only after all
// the others, so one process spends most of its time waiting (on servers, browsers, ffmpeg and timers, not the CPU).
// Here the unit tests run while the app is built, once; then three more processes run side by side: integration
// on PGlite, integration on PostgreSQL, and e2e. Within a process files run one at a time, since a database's files
// share its queues; the two integration projects have separate databases, and their Redis keys are unique to each run.
// Arguments go straight to a single `vitest run` (`npm test -- --project unit`).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { buildAppOnce } from '../test/support/build'

const root = resolve(import.meta.dirname, '..')
const vitest = resolve(root, 'node_modules/vitest/vitest.mjs')

/** Runs vitest with `args`, each output line prefixed with `tag`; resolves to its exit code and its closing summary. */
function run(args: string[], tag: string, env: NodeJS.ProcessEnv): Promise<{ code: number, summary: string | undefined }> {
  const child = spawn(process.execPath, [vitest, 'run', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let summary: string | undefined
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    createInterface({ input: stream }).on('line', (line) => {
      if (/^\d+ passed, \d+ failed, \d+ skipped$/.test(line)) summary = line
      out.write(tag ? `${tag} ${line}\n` : `${line}\n`)
    })
  }
  return new Promise(done => child.on('close', code => done({ code: code ?? 1, summary })))
}

const args = process.argv.slice(2)
if (args.length) process.exit((await run(args, '', process.env)).code)

// The unit tests need no build: they run while it is made, on the core it leaves mostly idle (50 s of the run).
const unit = run(['--project', 'unit'], '[unit]', process.env)
try {
  await buildAppOnce()
}
catch (error) {
  console.error((error as Error).message)
  await unit
  process.exit(1)
}
const env = { ...process.env, E2E_SKIP_BUILD: '1' }
const results = await Promise.all([
  unit,
  run(['--project', 'integration:pglite'], '[pglite]', env),
  run(['--project', 'integration:postgres'], '[postgres]', env),
  run(['--project', 'e2e'], '[e2e]', env),
])
// One closing line over the four processes, as a single run would print it.
const total = [0, 0, 0]
for (const { summary } of results) {
  const counts = summary?.match(/\d+/g)?.map(Number) ?? [0, 1, 0]
  counts.forEach((count, index) => total[index]! += count)
}
console.log(`${total[0]} passed, ${total[1]} failed, ${total[2]} skipped`)
process.exit(results.some(result => result.code !== 0) ? 1 : 0)
