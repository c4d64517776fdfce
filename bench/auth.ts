// Sign-in throughput and authenticated session latency on the built app with real PostgreSQL (or, with --embedded,
// on the app's own embedded PGlite).
//   npx tsx bench/auth.ts [--quick] [--embedded]
// Sign-in is argon2id-bound by design (about 20 ms of CPU each). The session figure is GET /api/auth/session at 50
// concurrent keep-alive connections, each with its own signed-in session (50 users): JWT check, then the session view
// (user and workspaces) from the process's session cache after a fence notification (server/services/auth/session-cache.ts).
// Baseline: GET /api/auth/setup (the bare public route, one query) at the same concurrency, in the
// same run. Target: session p95 ≤ 1.3 × baseline p95, with no failed request anywhere, and "sign out everywhere"
// ending a session at once (checked at the end). For comparison, not a target: GET /api/workspaces/:id at 50
// (requireMember: the session and the caller's role there, then the workspace row), what every workspace route pays.
// TRUST_PROXY is on and each request carries its own X-Forwarded-For (the bench plays the one trusted proxy, so its
// entry is the client address), so the per-address limits (a security feature) do not cap the measurement.
import { Agent, request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startBuiltApp } from '../test/support/app-server'
import { createScratchPostgres } from '../test/support/postgres'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, embedded: { type: 'boolean', default: false } } })
const seconds = values.quick ? 5 : 20
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function call(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function load(concurrency: number, durationSeconds: number, once: (worker: number, iteration: number) => Promise<number>, expected: number) {
  const latencies: number[] = []
  let failures = 0
  const deadline = performance.now() + durationSeconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let iteration = 0; performance.now() < deadline; iteration++) {
      const start = performance.now()
      const status = await once(worker, iteration)
      latencies.push(performance.now() - start)
      if (status !== expected) failures++
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1))
  return { rps: Math.round(latencies.length / elapsed), p50: at(0.5), p95: at(0.95), p99: at(0.99), requests: latencies.length, failures }
}

const postgres = values.embedded ? undefined : await createScratchPostgres('reelwise_bench_auth')
const dataDir = await mkdtemp(join(tmpdir(), 'reelwise-bench-auth-'))
const app = await startBuiltApp({ DATA_DIR: dataDir, ...(postgres ? { DATABASE_URL: postgres.url } : {}), TRUST_PROXY: 'true' })
try {
  const password = 'bench-password-123'
  const users = Array.from({ length: 50 }, (_, index) => `bench-${index}@bench.test`)
  // One session per user, so the 50 connections do not all read one hot row.
  const tokens: string[] = []
  for (const [index, email] of users.entries()) {
    const response = await fetch(`${app.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${index >> 8}.${index & 255}` }, body: JSON.stringify({ name: `Bench ${index}`, email, password }) })
    if (response.status !== 201) throw new Error(`sign-up failed with ${response.status}`)
    tokens.push((await response.json() as { token: string }).token)
  }
  const auth = tokens.map(token => ({ authorization: `Bearer ${token}` }))
  // Each user's own workspace, for a workspace route (requireMember: the session, then the caller's role there).
  const workspaces = await Promise.all(auth.map(async (headers) => {
    const response = await fetch(`${app.url}/api/auth/session`, { headers })
    return (await response.json() as { workspaces: { id: string }[] }).workspaces[0]!.id
  }))

  // Warm up connections, JIT and the database's caches.
  await load(50, 1, worker => call(app.url, 'GET', '/api/auth/session', auth[worker]!), 200)

  const baseline = await load(50, seconds, () => call(app.url, 'GET', '/api/auth/setup', {}), 200)
  console.log(`baseline GET /api/auth/setup   c=50  ${baseline.rps} req/s  p50 ${baseline.p50} ms  p95 ${baseline.p95} ms  p99 ${baseline.p99} ms  (${baseline.failures} failed)`)
  const session = await load(50, seconds, worker => call(app.url, 'GET', '/api/auth/session', auth[worker]!), 200)
  console.log(`GET /api/auth/session          c=50  ${session.rps} req/s  p50 ${session.p50} ms  p95 ${session.p95} ms  p99 ${session.p99} ms  (${session.failures} failed, 50 sessions)`)
  const light = await load(10, seconds, worker => call(app.url, 'GET', '/api/auth/session', auth[worker]!), 200)
  console.log(`GET /api/auth/session          c=10  ${light.rps} req/s  p50 ${light.p50} ms  p95 ${light.p95} ms  p99 ${light.p99} ms  (${light.failures} failed)`)
  const workspace = await load(50, seconds, worker => call(app.url, 'GET', `/api/workspaces/${workspaces[worker]}`, auth[worker]!), 200)
  console.log(`GET /api/workspaces/:id        c=50  ${workspace.rps} req/s  p50 ${workspace.p50} ms  p95 ${workspace.p95} ms  p99 ${workspace.p99} ms  (${workspace.failures} failed)`)
  let counter = 0
  const signIns = await load(8, seconds, (worker) => {
    counter++
    return call(app.url, 'POST', '/api/auth/login', { 'x-forwarded-for': `10.2.${counter % 250}.${worker}` }, JSON.stringify({ email: users[counter % users.length], password }))
  }, 200)
  console.log(`POST /api/auth/login           c=8   ${signIns.rps} req/s  p50 ${signIns.p50} ms  p95 ${signIns.p95} ms  (${signIns.failures} failed)`)
  // "Sign out everywhere" must end a session at once, whatever the session route keeps between requests.
  const signedOut = await call(app.url, 'POST', '/api/auth/logout-all', auth[0]!)
  const afterSignOut = await call(app.url, 'GET', '/api/auth/session', auth[0]!)
  const revokeImmediate = signedOut === 200 && afterSignOut === 401
  console.log(`sign out everywhere, then GET /api/auth/session → ${afterSignOut} (${revokeImmediate ? 'ended at once' : 'STILL SIGNED IN'})`)
  const failures = signIns.failures + session.failures + light.failures + workspace.failures + baseline.failures
  const ratio = Number((session.p95 / baseline.p95).toFixed(2))
  const met = ratio <= 1.3 && failures === 0 && revokeImmediate
  console.log(`target: session p95 ≤ 1.3 × baseline p95 (${ratio}×), no failed request (${failures}), sign-out immediate → ${met ? 'met' : 'MISSED'}`)
  console.log(`RESULT ${JSON.stringify({
    signin_rps: signIns.rps, signin_p95_ms: signIns.p95,
    session_rps_c50: session.rps, session_p50_ms: session.p50, session_p95_ms: session.p95, session_p99_ms: session.p99,
    session_rps_c10: light.rps, session_p95_ms_c10: light.p95,
    workspace_rps_c50: workspace.rps, workspace_p95_ms: workspace.p95,
    baseline_setup_rps_c50: baseline.rps, baseline_setup_p95_ms: baseline.p95,
    ratio_session_p95_vs_baseline: ratio, failures, sessions: auth.length, revoke_immediate: revokeImmediate,
    target_met: met, seconds, database: postgres ? 'postgres' : 'embedded',
  })}`)
}
finally {
  agent.destroy()
  await app.stop()
  await postgres?.drop()
  await rm(dataDir, { recursive: true, force: true })
}
