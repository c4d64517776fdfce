// Settings → AI and the Usage page through the API of the built app: settings saved and read back, the key write-only
// (in no response body, encrypted in its column, removed when the provider or server changes), members told which
// provider and model and nothing more, admin parts refused to editors and viewers, bad input named by field; the
// connection test as an answer in plain words with its ledger row; usage figures equal to sums of the AiCall rows
// this test inserted, by the workspace's calendar day, and this month's spend against the budget in a non-UTC zone.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { createSecretBox } from '../../server/services/security/secrets'
import type { AiConnectionTest, AiSettingsResponse, AiUsageFigures, AiUsageReport } from '#shared/ai'
import { ApiClient, type ApiResponse } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeOpenAi } from '../support/fake-openai'
import { createPrisma } from '../support/scratch'

const ENCRYPTION_KEY = Buffer.alloc(32, 13).toString('base64')
const API_KEY = 'sk-or-v1-usage-test-9f8e7d6c5b4a3210wxyz'

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone, computed here independently of the server. */
function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant)
}

/** The instant a local wall-clock time happens in a zone (no DST change within the hour around it). */
function instantIn(local: string, timeZone: string): Date {
  const guess = new Date(`${local}Z`)
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(guess).find(part => part.type === 'timeZoneName')!.value
  const [, sign, hours, minutes] = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(offset)!
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000 : 0
  return new Date(guess.getTime() - offsetMs)
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

interface Row { purpose: string, createdAt: Date, inputTokens: number, cachedTokens: number, outputTokens: number, costUsd: number, cacheHit: boolean, status: 'succeeded' | 'failed', provider: string }

function sums(rows: Row[]): Omit<AiUsageFigures, 'hitRate'> {
  return {
    calls: rows.length,
    cacheHits: rows.filter(row => row.cacheHit).length,
    failed: rows.filter(row => row.status === 'failed').length,
    inputTokens: rows.reduce((total, row) => total + row.inputTokens, 0),
    cachedTokens: rows.reduce((total, row) => total + row.cachedTokens, 0),
    outputTokens: rows.reduce((total, row) => total + row.outputTokens, 0),
    costUsd: Math.round(rows.reduce((total, row) => total + row.costUsd * 1e6, 0)) / 1e6,
  }
}

describe(`AI settings and usage on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let owner: ApiClient
  let editor: ApiClient
  let viewer: ApiClient
  let workspaceId: string
  const userIds: string[] = []
  const extraWorkspaces: string[] = []
  const run = randomUUID().slice(0, 8)
  // Every body the app answered in this file, searched for the key at the end.
  const bodies: unknown[] = []
  const settings = () => `/api/workspaces/${workspaceId}/ai/settings`
  const usage = (id = workspaceId) => `/api/workspaces/${id}/ai/usage`

  async function call<T>(client: ApiClient, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await client.request<T>(method, path, body)
    bodies.push(response.body)
    return response
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-ai-usage-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web', ENCRYPTION_KEY })
    db = createPrisma(inject('databaseUrl'))
    owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Olga', email: `olga-${run}@ai-usage.test` })).status).toBe(201)
    const session = await owner.session()
    workspaceId = session.workspaces[0]!.id
    userIds.push(session.user.id)
    for (const [role, name] of [['editor', 'Ed'], ['viewer', 'Vi']] as const) {
      const client = new ApiClient(app.url)
      expect((await client.signUp({ name, email: `${name.toLowerCase()}-${run}@ai-usage.test` })).status).toBe(201)
      const { user, workspaces } = await client.session()
      userIds.push(user.id)
      extraWorkspaces.push(workspaces[0]!.id)
      await db.membership.create({ data: { workspaceId, userId: user.id, role } })
      if (role === 'editor') editor = client
      else viewer = client
    }
  }, 120_000)

  afterAll(async () => {
    await db?.workspace.deleteMany({ where: { id: { in: [workspaceId, ...extraWorkspaces].filter(Boolean) } } })
    await db?.user.deleteMany({ where: { id: { in: userIds } } })
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('saves the provider, model, server, key and budget, reads them back, and keeps the key encrypted and write-only', async () => {
    const before = await call<AiSettingsResponse>(owner, 'GET', settings())
    expect(before.body).toMatchObject({ canManage: true, provider: 'local', hasKey: false, keyHint: null, fromEnvironment: true, monthlyBudgetUsd: null })

    const saved = await call<AiSettingsResponse>(owner, 'PUT', settings(), { provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', apiKey: API_KEY, monthlyBudgetUsd: 12.5 })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    const expected = { canManage: true, provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', hasKey: true, keyHint: 'wxyz', monthlyBudgetUsd: 12.5, fromEnvironment: false }
    expect(saved.body).toMatchObject(expected)
    expect((await call<AiSettingsResponse>(owner, 'GET', settings())).body).toMatchObject(expected)

    // At rest: AES-256-GCM under the app's ENCRYPTION_KEY; no part of the key in the column.
    const row = await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })
    expect(row.apiKeyEncrypted).toMatch(/^v2\./)
    for (const part of [API_KEY, 'usage-test', '9f8e7d6c', 'wxyz']) expect(row.apiKeyEncrypted).not.toContain(part)
    expect(createSecretBox([ENCRYPTION_KEY]).decrypt(row.apiKeyEncrypted!)).toBe(API_KEY)

    // Saving without a key keeps it; changing the budget alone changes only the budget.
    const kept = await call<AiSettingsResponse>(owner, 'PUT', settings(), { provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', monthlyBudgetUsd: 20 })
    expect(kept.body).toMatchObject({ ...expected, monthlyBudgetUsd: 20 })
    // Another server without a new key: the saved key is removed, never sent there.
    const moved = await call<AiSettingsResponse>(owner, 'PUT', settings(), { provider: 'openai', model: 'grok-4.3', baseUrl: 'https://api.x.ai/v1' })
    expect(moved.body).toMatchObject({ provider: 'openai', baseUrl: 'https://api.x.ai/v1', hasKey: false, keyHint: null, monthlyBudgetUsd: 20 })
    expect((await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })).apiKeyEncrypted).toBeNull()
    // A new key, then null removes it; an empty budget (null) means no budget.
    expect((await call<AiSettingsResponse>(owner, 'PUT', settings(), { provider: 'openai', model: 'grok-4.3', baseUrl: 'https://api.x.ai/v1', apiKey: API_KEY })).body).toMatchObject({ hasKey: true, keyHint: 'wxyz' })
    expect((await call<AiSettingsResponse>(owner, 'PUT', settings(), { provider: 'openai', model: 'grok-4.3', baseUrl: 'https://api.x.ai/v1', apiKey: null, monthlyBudgetUsd: null })).body).toMatchObject({ hasKey: false, monthlyBudgetUsd: null })
    expect(await db.auditEvent.count({ where: { workspaceId, action: 'ai.settings.updated' } })).toBe(5)
  })

  it('tells editors and viewers which provider and model, and refuses them the key hint, base URL, budget, test and usage', async () => {
    await call(owner, 'PUT', settings(), { provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', apiKey: API_KEY, monthlyBudgetUsd: 5 })
    for (const member of [editor, viewer]) {
      const read = await call<AiSettingsResponse>(member, 'GET', settings())
      expect(read.status).toBe(200)
      expect(read.body).toEqual({ canManage: false, provider: 'openai', model: 'openai/gpt-5-mini', fromEnvironment: false })
      const refused = [
        await call(member, 'PUT', settings(), { provider: 'local', monthlyBudgetUsd: 1000 }),
        await call(member, 'POST', `${settings()}/test`, {}),
        await call(member, 'GET', usage()),
      ]
      expect(refused.map(response => response.status)).toEqual([403, 403, 403])
    }
    expect(await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })).toMatchObject({ provider: 'openai', baseUrl: 'https://openrouter.ai/api/v1' })
    expect(Number((await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })).monthlyBudgetUsd)).toBe(5)
  })

  it('refuses bad input with a 400 that names the field, and changes nothing', async () => {
    const cases: [unknown, string, string][] = [
      [{ provider: 'claude' }, 'provider', 'Provider: choose Local, OpenAI-compatible or Gemini.'],
      [{ provider: 'local', monthlyBudgetUsd: -5 }, 'monthlyBudgetUsd', 'Monthly budget: a budget cannot be negative; leave it empty for no budget.'],
      [{ provider: 'openai', baseUrl: 'ftp://models.example.com/v1' }, 'baseUrl', 'Base URL: give the server\'s address starting with http:// or https://.'],
      [{ provider: 'openai', baseUrl: 'javascript:alert(1)' }, 'baseUrl', 'Base URL: give the server\'s address starting with http:// or https://.'],
      [{ provider: 'openai', apiKey: 'short' }, 'apiKey', 'API key: that key looks too short: paste the whole key.'],
    ]
    for (const [body, field, message] of cases) {
      const response = await call<{ statusMessage: string, data: { issues: { path: string[] }[] } }>(owner, 'PUT', settings(), body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body.statusMessage).toBe(message)
      expect(response.body.data.issues[0]!.path).toEqual([field])
    }
    const badRanges: [string, string][] = [
      ['from=2026-02-30', 'Start date: there is no such day.'],
      ['from=yesterday', 'Start date: use the form YYYY-MM-DD.'],
      ['from=2026-03-02&to=2026-03-01', 'Start date: it is after the end date.'],
      ['from=2025-01-01&to=2026-03-01', 'Start date: at most 366 days at once.'],
    ]
    for (const [query, message] of badRanges) {
      const response = await call<{ statusMessage: string }>(owner, 'GET', `${usage()}?${query}`)
      expect(response.status, query).toBe(400)
      expect(response.body.statusMessage).toBe(message)
    }
    expect(await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })).toMatchObject({ provider: 'openai', baseUrl: 'https://openrouter.ai/api/v1' })
  })

  it('tests the connection: local needs none; a server that does not answer is a plain answer and a failed ledger row', async () => {
    await call(owner, 'PUT', settings(), { provider: 'local' })
    const local = await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})
    expect(local.status).toBe(200)
    expect(local.body).toMatchObject({ ok: true, provider: 'local', reason: null })
    expect(local.body.message).toMatch(/nothing to connect to.*costs nothing/)

    const port = await closedPort()
    await call(owner, 'PUT', settings(), { provider: 'openai', model: 'llama3.2', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY })
    const failed = await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})
    expect(failed.status).toBe(200)
    expect(failed.body).toMatchObject({ ok: false, provider: 'openai', model: 'llama3.2' })
    expect(failed.body.message.length).toBeGreaterThan(10)
    const rows = await db.aiCall.findMany({ where: { workspaceId, purpose: 'connection.test' } })
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ provider: 'openai', model: 'llama3.2', status: 'failed', cacheHit: false, promptVersion: 'connection-test/1' })
    expect(rows[0]!.error).toBe(failed.body.message)
    expect(rows[0]!.error).not.toContain(API_KEY)

    // Over the budget, no call is made: the answer says so.
    await call(owner, 'PUT', settings(), { provider: 'openai', model: 'llama3.2', baseUrl: `http://127.0.0.1:${port}/v1`, monthlyBudgetUsd: 0 })
    const capped = await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})
    expect(capped.body).toMatchObject({ ok: false, reason: 'budget' })
    expect(await db.aiCall.count({ where: { workspaceId, purpose: 'connection.test' } })).toBe(1)
    await db.aiCall.deleteMany({ where: { workspaceId } })
  })

  it('tests the connection through the provider: a working key answers with its model and time, a refused one says so', async () => {
    const fake = await startFakeOpenAi()
    try {
      fake.expectedKey = API_KEY
      await call(owner, 'PUT', settings(), { provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKey: API_KEY, monthlyBudgetUsd: null })
      const works = await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})
      expect(works.body, JSON.stringify(works.body)).toMatchObject({ ok: true, provider: 'openai', reason: null })
      expect(works.body.message).toMatch(/^Connected: .+ answered in \d+\.\d s\.$/)
      expect(fake.requests.length).toBeGreaterThanOrEqual(1)
      expect(fake.leaksOf(API_KEY)).toEqual([])
      const [row] = await db.aiCall.findMany({ where: { workspaceId, purpose: 'connection.test', status: 'succeeded' } })
      expect(row).toMatchObject({ provider: 'openai', cacheHit: false })
      expect(row!.inputTokens).toBeGreaterThan(0)
      // A second test calls again: a cached answer would prove nothing about the key.
      const before = fake.requests.length
      expect((await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})).body.ok).toBe(true)
      expect(fake.requests.length).toBeGreaterThan(before)

      await call(owner, 'PUT', settings(), { provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKey: 'sk-wrong-key-000000' })
      const refused = await call<AiConnectionTest>(owner, 'POST', `${settings()}/test`, {})
      expect(refused.body).toMatchObject({ ok: false, reason: 'auth' })
      expect(refused.body.message).not.toContain('sk-wrong')
      expect(await db.aiCall.count({ where: { workspaceId, purpose: 'connection.test', status: 'failed' } })).toBe(1)
    }
    finally {
      await fake.close()
      await db.aiCall.deleteMany({ where: { workspaceId } })
    }
  })

  it('sums spend, tokens, calls and cache hits by the workspace\'s calendar day and by purpose, equal to the rows inserted', async () => {
    const timeZone = 'America/Los_Angeles'
    await db.workspace.update({ where: { id: workspaceId }, data: { timeZone } })
    const at = (local: string) => instantIn(local, timeZone)
    const row = (purpose: string, local: string, figures: Partial<Row>): Row => ({ purpose, createdAt: at(local), inputTokens: 0, cachedTokens: 0, outputTokens: 0, costUsd: 0, cacheHit: false, status: 'succeeded', provider: 'openai', ...figures })
    const rows: Row[] = [
      // 10 June (local): a strategy, its cache hit, a script at 23:30 local (already 11 June in UTC), a failure.
      row('strategy.generate', '2026-06-10T00:30:00', { inputTokens: 1800, cachedTokens: 300, outputTokens: 650, costUsd: 0.004125 }),
      row('strategy.generate', '2026-06-10T09:15:00', { cacheHit: true }),
      row('script.generate', '2026-06-10T23:30:00', { inputTokens: 2400, cachedTokens: 0, outputTokens: 1200, costUsd: 0.00301 }),
      row('script.generate', '2026-06-10T12:00:00', { status: 'failed' }),
      // 11 June (local): scripts (one a hit), a strategy, and a local call at $0 up to the last second of the day.
      row('script.generate', '2026-06-11T08:00:00', { inputTokens: 2100, cachedTokens: 1024, outputTokens: 900, costUsd: 0.002377 }),
      row('script.generate', '2026-06-11T08:01:00', { cacheHit: true }),
      row('strategy.generate', '2026-06-11T16:45:00', { inputTokens: 3000, cachedTokens: 2048, outputTokens: 800, costUsd: 0.0019 }),
      row('script.generate', '2026-06-11T23:59:59', { provider: 'local', inputTokens: 0 }),
    ]
    const outside: Row[] = [
      row('strategy.generate', '2026-06-09T23:59:00', { inputTokens: 999, costUsd: 1 }),
      row('script.generate', '2026-06-12T00:00:30', { inputTokens: 999, costUsd: 1 }),
    ]
    const promptVersion = 'usage-test/1'
    await db.aiCall.createMany({ data: [...rows, ...outside].map(({ provider, ...figures }) => ({ workspaceId, provider, model: provider === 'local' ? 'reelwise-templates-1' : 'gpt-5-mini', promptVersion, ...figures })) })
    // Another workspace's spend on the same days is not this one's.
    await db.aiCall.create({ data: { workspaceId: extraWorkspaces[0]!, provider: 'openai', model: 'gpt-5-mini', purpose: 'script.generate', promptVersion, costUsd: 7, inputTokens: 5000, status: 'succeeded', createdAt: at('2026-06-11T10:00:00') } })

    const response = await call<AiUsageReport>(owner, 'GET', `${usage()}?from=2026-06-10&to=2026-06-11`)
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    const report = response.body
    expect(report).toMatchObject({ from: '2026-06-10', to: '2026-06-11', timeZone })
    const withRate = (figures: Omit<AiUsageFigures, 'hitRate'>) => ({ ...figures, hitRate: figures.calls ? figures.cacheHits / figures.calls : null })

    expect(report.totals).toEqual(withRate(sums(rows)))
    expect(report.byDay.map(day => day.day)).toEqual(['2026-06-10', '2026-06-11'])
    for (const day of report.byDay) {
      const ofDay = rows.filter(entry => dayIn(entry.createdAt, timeZone) === day.day)
      const { costByPurpose, callsByPurpose, day: _day, ...figures } = day
      expect(figures, day.day).toEqual(withRate(sums(ofDay)))
      for (const purpose of ['strategy.generate', 'script.generate']) {
        const ofPurpose = ofDay.filter(entry => entry.purpose === purpose)
        expect(costByPurpose[purpose] ?? 0).toBe(sums(ofPurpose).costUsd)
        expect(callsByPurpose[purpose] ?? 0).toBe(ofPurpose.length)
      }
    }
    // The script at 23:30 on 10 June (local) counts on the 10th, though it is the 11th in UTC.
    expect(report.byDay[0]!.callsByPurpose['script.generate']).toBe(2)
    expect(report.byPurpose.map(entry => entry.purpose).sort()).toEqual(['script.generate', 'strategy.generate'])
    for (const entry of report.byPurpose) {
      const { purpose, ...figures } = entry
      expect(figures, purpose).toEqual(withRate(sums(rows.filter(candidate => candidate.purpose === purpose))))
    }
    // Most spent first.
    expect(report.byPurpose[0]!.costUsd).toBeGreaterThanOrEqual(report.byPurpose[1]!.costUsd)

    // A week around them: every day is listed, empty days at zero.
    const week = (await call<AiUsageReport>(owner, 'GET', `${usage()}?from=2026-06-07&to=2026-06-13`)).body
    expect(week.byDay).toHaveLength(7)
    expect(week.byDay.find(day => day.day === '2026-06-08')).toMatchObject({ calls: 0, costUsd: 0, hitRate: null })
    expect(week.totals.calls).toBe(rows.length + outside.length)
    await db.aiCall.deleteMany({ where: { workspaceId: { in: [workspaceId, extraWorkspaces[0]!] } } })
  })

  it('counts this month\'s spend against the budget from midnight on the 1st in the workspace\'s zone, not UTC', async () => {
    const timeZone = 'Pacific/Auckland'
    const created = await call<{ id: string }>(owner, 'POST', '/api/workspaces', { name: `Auckland ${run}`, timeZone })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const aucklandId = created.body.id
    extraWorkspaces.push(aucklandId)
    await call(owner, 'PUT', `/api/workspaces/${aucklandId}/ai/settings`, { provider: 'openai', model: 'gpt-5-mini', monthlyBudgetUsd: 2 })

    const month = dayIn(new Date(), timeZone).slice(0, 7)
    const monthStart = instantIn(`${month}-01T00:00:00`, timeZone)
    expect(dayIn(monthStart, timeZone)).toBe(`${month}-01`)
    // A minute before the 1st (local) is last month, though in UTC it may be the same month as a minute after.
    const rows = [
      { createdAt: new Date(monthStart.getTime() - 60_000), costUsd: 5 },
      { createdAt: new Date(monthStart.getTime() + 60_000), costUsd: 1.25 },
      { createdAt: new Date(Math.min(Date.now(), monthStart.getTime() + 3_600_000)), costUsd: 0.5 },
    ]
    await db.aiCall.createMany({ data: rows.map(row => ({ ...row, workspaceId: aucklandId, provider: 'openai', model: 'gpt-5-mini', purpose: 'strategy.generate', promptVersion: 'usage-test/1', status: 'succeeded' as const })) })

    const report = (await call<AiUsageReport>(owner, 'GET', usage(aucklandId))).body
    expect(report.month).toEqual({ month, spendUsd: 1.75, budgetUsd: 2, reached: false })
    expect(report.to).toBe(dayIn(new Date(), timeZone))
    expect(report.byDay).toHaveLength(30)
    const lastMonthDay = dayIn(rows[0]!.createdAt, timeZone)
    expect(lastMonthDay.slice(0, 7)).not.toBe(month)
    if (report.byDay.some(day => day.day === lastMonthDay)) expect(report.byDay.find(day => day.day === lastMonthDay)!.costUsd).toBe(5)
    expect(report.byDay.find(day => day.day === `${month}-01`)!.costUsd).toBe(1.75)

    // The budget reached: the page says so; the settings view shows the same month's spend.
    await call(owner, 'PUT', `/api/workspaces/${aucklandId}/ai/settings`, { provider: 'openai', model: 'gpt-5-mini', monthlyBudgetUsd: 1.75 })
    expect((await call<AiUsageReport>(owner, 'GET', usage(aucklandId))).body.month).toMatchObject({ spendUsd: 1.75, reached: true })
    expect((await call<AiSettingsResponse>(owner, 'GET', `/api/workspaces/${aucklandId}/ai/settings`)).body).toMatchObject({ monthSpendUsd: 1.75 })
  })

  it('never sent the key back in any response', () => {
    expect(bodies.length).toBeGreaterThan(30)
    for (const body of bodies) {
      const text = JSON.stringify(body)
      expect(text).not.toContain(API_KEY)
      expect(text).not.toContain('usage-test-9f8e')
    }
  })
})
