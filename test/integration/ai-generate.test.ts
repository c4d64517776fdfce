// generate(), the one door to AI output, on a real database: the response cache (a repeated request makes no provider
// call and is logged as a hit), the ledger (a row per call, hits and failures too), the bounded re-ask with the
// validation error, the monthly budget (paid calls stop, local still works), provider failures in plain words,
// and the workspace's saved key (encrypted at rest, never read back). The provider here stands in for the outside
// API at its interface; the wire formats are tested against the loopback fakes in ai-providers.test.ts.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { z } from 'zod'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { AiProviderError } from '../../server/services/ai/errors'
import { generate, type AiContext } from '../../server/services/ai/generate'
import { readAiSettings, resolveAiConfig, saveAiSettings } from '../../server/services/ai/settings'
import type { AiProvider, PromptTemplate, ProviderRequest } from '../../server/services/ai/types'
import { ServiceError } from '../../server/services/errors'
import { createSecretBox } from '../../server/services/security/secrets'
import { aiSettingsInput } from '#shared/ai'
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai'
import { createPrisma } from '../support/scratch'

const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64')
const SECRETS = createSecretBox([ENCRYPTION_KEY])
const env = { provider: 'local' as const, openai: { apiKey: undefined, baseUrl: undefined }, geminiApiKey: undefined, grokApiKey: undefined }

const ideaSchema = z.object({ title: z.string().min(1), hooks: z.array(z.string()).min(1) })
const ideas: PromptTemplate<{ topic: string, count: number }, z.infer<typeof ideaSchema>> = {
  purpose: 'script.generate',
  version: 'test-ideas/1',
  schema: ideaSchema,
  instructions: 'Answer in JSON.',
  render: input => `Give ${input.count} hooks about ${input.topic}.`,
  local: input => ({ title: `About ${input.topic}`, hooks: Array.from({ length: input.count }, (_, index) => `Hook ${index + 1}`) }),
}

/** The outside API at its interface: scripted replies, every request kept. */
function scriptedProvider(replies: (string | Error)[]) {
  const requests: ProviderRequest[] = []
  const provider: AiProvider = {
    name: 'openai',
    model: 'gpt-5-mini',
    async complete(request) {
      requests.push(request)
      const next = replies.shift()
      if (next === undefined) throw new Error('no scripted reply left')
      if (next instanceof Error) throw next
      return { text: next, usage: { inputTokens: 1200, outputTokens: 300, cachedTokens: 200 }, model: 'gpt-5-mini' }
    },
  }
  return { provider, requests }
}

describe(`generate() on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  let workspaceId: string
  let otherWorkspaceId: string
  let userId: string

  const context = (provider?: AiProvider): AiContext => ({ db, ai: env, secrets: SECRETS, providerFor: provider ? () => provider : undefined })
  const calls = (where: object = {}) => db.aiCall.findMany({ where: { workspaceId, ...where }, orderBy: { createdAt: 'asc' } })
  const useOpenAi = (extra: object = {}) => saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', model: 'gpt-5-mini', apiKey: 'sk-test-abcdef123456', ...extra }), userId, env, SECRETS)

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    const run = randomUUID().slice(0, 8)
    userId = (await db.user.create({ data: { email: `ai-${run}@generate.test`, name: 'Ada' } })).id
    workspaceId = (await db.workspace.create({ data: { name: 'AI', slug: `ai-${run}`, timeZone: 'Pacific/Auckland' } })).id
    otherWorkspaceId = (await db.workspace.create({ data: { name: 'Other', slug: `ai-other-${run}` } })).id
  })

  let fake: FakeOpenAi
  beforeAll(async () => {
    fake = await startFakeOpenAi()
  })

  afterAll(async () => {
    await fake?.close()
    await db?.workspace.deleteMany({ where: { id: { in: [workspaceId, otherWorkspaceId] } } })
    await db?.user.deleteMany({ where: { id: userId } })
    await db?.$disconnect()
  })

  it('answers locally with no settings, then serves the same request (keys reordered, spaces changed) from the cache', async () => {
    const first = await generate(context(), { prompt: ideas, input: { topic: 'knife  skills', count: 2 }, workspaceId, userId })
    expect(first.output).toEqual({ title: 'About knife  skills', hooks: ['Hook 1', 'Hook 2'] })
    expect(first.provenance).toMatchObject({ provider: 'local', model: 'reelwise-templates-1', promptVersion: 'test-ideas/1', cacheHit: false })
    const again = await generate(context(), { prompt: ideas, input: { count: 2, topic: ' knife skills ' }, workspaceId, userId })
    expect(again.provenance.cacheHit).toBe(true)
    expect(again.output).toEqual(first.output)
    const rows = await calls()
    expect(rows.map(row => [row.provider, row.cacheHit, row.status, Number(row.costUsd)])).toEqual([['local', false, 'succeeded', 0], ['local', true, 'succeeded', 0]])
    expect(rows[1]!.id).toBe(again.provenance.aiCallId)
    // Another workspace never sees this one's answers.
    const elsewhere = await generate(context(), { prompt: ideas, input: { topic: 'knife skills', count: 2 }, workspaceId: otherWorkspaceId })
    expect(elsewhere.provenance.cacheHit).toBe(false)
  })

  it('keeps a saved key encrypted, shows only its last four characters, and decrypts it only to make a call', async () => {
    const view = await useOpenAi()
    expect(view).toMatchObject({ provider: 'openai', model: 'gpt-5-mini', hasKey: true, keyHint: '3456', fromEnvironment: false })
    expect(JSON.stringify(view)).not.toContain('sk-test')
    const row = await db.aiSettings.findUniqueOrThrow({ where: { workspaceId } })
    expect(row.apiKeyEncrypted).toMatch(/^v2\./)
    expect(row.apiKeyEncrypted).not.toContain('abcdef')
    expect((await resolveAiConfig(db, workspaceId, env, SECRETS)).apiKey).toBe('sk-test-abcdef123456')
    // Saving without a key keeps it; null removes it.
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', model: 'gpt-5-mini' }), userId, env, SECRETS)
    expect((await readAiSettings(db, workspaceId, env, SECRETS)).hasKey).toBe(true)
    expect(await db.auditEvent.count({ where: { workspaceId, action: 'ai.settings.updated' } })).toBe(2)
  })

  it('prices a paid call, caches it, and makes no provider call for the repeat', async () => {
    await useOpenAi()
    const { provider, requests } = scriptedProvider([JSON.stringify({ title: 'Sharp', hooks: ['Stop dulling your knife'] })])
    const first = await generate(context(provider), { prompt: ideas, input: { topic: 'sharpening', count: 1 }, workspaceId, userId })
    expect(first.provenance).toMatchObject({ provider: 'openai', model: 'gpt-5-mini', cacheHit: false })
    expect(requests).toHaveLength(1)
    expect(requests[0]!.prompt).toBe('Give 1 hooks about sharpening.')
    expect(requests[0]!.jsonSchema).toMatchObject({ type: 'object', required: ['title', 'hooks'] })
    expect(requests[0]!.jsonSchema).not.toHaveProperty('$schema')
    const second = await generate(context(provider), { prompt: ideas, input: { topic: 'sharpening', count: 1 }, workspaceId, userId })
    expect(requests).toHaveLength(1)
    expect(second).toMatchObject({ output: first.output, provenance: { cacheHit: true } })
    const [paid, hit] = await calls({ provider: 'openai' })
    expect(paid).toMatchObject({ cacheHit: false, status: 'succeeded', inputTokens: 1200, cachedTokens: 200, outputTokens: 300, model: 'gpt-5-mini' })
    expect(Number(paid!.costUsd)).toBeGreaterThan(0)
    expect(hit).toMatchObject({ cacheHit: true, inputTokens: 0, outputTokens: 0 })
    expect(Number(hit!.costUsd)).toBe(0)
    // A settings change is seen by the very next request (the remembered settings are checked in the hit's statement).
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'local' }), userId, env, SECRETS)
    const afterSwitch = await generate(context(provider), { prompt: ideas, input: { topic: 'sharpening', count: 1 }, workspaceId, userId })
    expect(afterSwitch.provenance).toMatchObject({ provider: 'local', cacheHit: false })
    await useOpenAi()
    expect((await generate(context(provider), { prompt: ideas, input: { topic: 'sharpening', count: 1 }, workspaceId, userId })).provenance).toMatchObject({ provider: 'openai', cacheHit: true })
    expect(requests).toHaveLength(1)
  })

  it('re-asks once with the validation error, and gives up in plain words after a second bad answer', async () => {
    await useOpenAi()
    const fixed = scriptedProvider(['{"title": "", "hooks": []}', JSON.stringify({ title: 'Fixed', hooks: ['A hook'] })])
    const result = await generate(context(fixed.provider), { prompt: ideas, input: { topic: 'repair', count: 1 }, workspaceId })
    expect(result.output.title).toBe('Fixed')
    expect(fixed.requests).toHaveLength(2)
    expect(fixed.requests[1]!.repair?.reply).toBe('{"title": "", "hooks": []}')
    expect(fixed.requests[1]!.repair?.problem).toMatch(/title: .*hooks: /)
    const broken = scriptedProvider(['not json at all', '{"title": 3}'])
    const failure = await generate(context(broken.provider), { prompt: ideas, input: { topic: 'broken', count: 1 }, workspaceId }).catch(error => error)
    expect(failure).toBeInstanceOf(ServiceError)
    expect(failure).toMatchObject({ statusCode: 502, data: { reason: 'malformed', localAvailable: true } })
    expect(failure.message).toMatch(/did not fit the expected shape twice/)
    expect(broken.requests).toHaveLength(2)
    expect(broken.requests[1]!.repair?.problem).toBe('The reply was not valid JSON.')
    // Nothing bad was cached: the next request asks again.
    const retry = scriptedProvider([JSON.stringify({ title: 'Now fine', hooks: ['x'] })])
    expect((await generate(context(retry.provider), { prompt: ideas, input: { topic: 'broken', count: 1 }, workspaceId })).output.title).toBe('Now fine')
  })

  it('turns a provider failure into its status and plain message, logged without the key or the prompt', async () => {
    await useOpenAi()
    const limited = scriptedProvider([new AiProviderError('rate_limited', 'OpenAI is busy: it asked us to wait. Try again in a minute.', { provider: 'openai' })])
    const failure = await generate(context(limited.provider), { prompt: ideas, input: { topic: 'busy', count: 1 }, workspaceId }).catch(error => error)
    expect(failure).toMatchObject({ statusCode: 429, message: 'OpenAI is busy: it asked us to wait. Try again in a minute.', data: { reason: 'rate_limited' } })
    const blocked = scriptedProvider([new AiProviderError('blocked', 'OpenAI refused this request as unsafe content; change the brief and try again.', { provider: 'openai' })])
    expect(await generate(context(blocked.provider), { prompt: ideas, input: { topic: 'blocked', count: 1 }, workspaceId }).catch(error => error)).toMatchObject({ statusCode: 422 })
    const failed = await calls({ status: 'failed' })
    expect(failed.map(row => row.error)).toContain('OpenAI is busy: it asked us to wait. Try again in a minute.')
    for (const row of failed) {
      expect(row.error).not.toContain('sk-test')
      expect(row.error).not.toContain('Give 1 hooks')
    }
  })

  it('stops paid calls at the monthly budget, with the local generator still working', async () => {
    await useOpenAi({ monthlyBudgetUsd: 0.5 })
    await db.aiCall.create({ data: { workspaceId, provider: 'openai', model: 'gpt-5-mini', purpose: 'strategy.generate', promptVersion: 'x', costUsd: 0.75, status: 'succeeded' } })
    const { provider, requests } = scriptedProvider([JSON.stringify({ title: 'Never', hooks: ['x'] })])
    const refused = await generate(context(provider), { prompt: ideas, input: { topic: 'over budget', count: 1 }, workspaceId }).catch(error => error)
    expect(refused).toMatchObject({ statusCode: 402, data: { reason: 'budget', localAvailable: true } })
    expect(refused.message).toMatch(/used its AI budget for the month \(\$[\d.]+ of \$0\.50\).*local generator still works/)
    expect(requests).toHaveLength(0)
    const local = await generate(context(provider), { prompt: ideas, input: { topic: 'over budget', count: 1 }, workspaceId, forceLocal: true })
    expect(local.provenance.provider).toBe('local')
    // A spend from before this month (in the workspace's zone) does not count.
    await db.aiCall.updateMany({ where: { workspaceId, costUsd: 0.75 }, data: { createdAt: new Date(Date.now() - 40 * 86_400_000) } })
    const settings = await readAiSettings(db, workspaceId, env, SECRETS)
    expect(settings.monthSpendUsd).toBeLessThan(0.5)
  })

  it('through the real openai provider: a repeated request makes no HTTP call, and the ledger shows the hit', async () => {
    await useOpenAi({ baseUrl: fake.url, monthlyBudgetUsd: null })
    fake.reset()
    fake.expectedKey = 'sk-test-abcdef123456'
    const first = await generate(context(), { prompt: ideas, input: { topic: 'over the wire', count: 2 }, workspaceId, userId })
    expect(first.provenance).toMatchObject({ provider: 'openai', cacheHit: false })
    expect(ideaSchema.safeParse(first.output).success).toBe(true)
    expect(fake.calls('responses')).toBe(1)
    const sent = fake.requests[0]!
    expect(sent.body.text.format).toMatchObject({ type: 'json_schema', name: 'script_generate' })
    expect(sent.body.input[0].content).toBe('Give 2 hooks about over the wire.')
    const again = await generate(context(), { prompt: ideas, input: { topic: 'over the wire', count: 2 }, workspaceId, userId })
    expect(fake.calls('responses')).toBe(1)
    expect(again).toMatchObject({ output: first.output, provenance: { cacheHit: true } })
    expect(await db.aiCall.findUniqueOrThrow({ where: { id: again.provenance.aiCallId } })).toMatchObject({ cacheHit: true, provider: 'openai', purpose: 'script.generate' })
    expect(fake.leaksOf('sk-test-abcdef123456')).toEqual([])
    // A 429 with retry-after is waited out within the bounded retries, then the answer is used.
    fake.script('responses', { kind: 'rateLimited', retryAfterSeconds: 1 })
    const started = Date.now()
    const patient = await generate(context(), { prompt: ideas, input: { topic: 'after a wait', count: 1 }, workspaceId })
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(patient.provenance.cacheHit).toBe(false)
    // Schema-invalid output twice: one re-ask, then a plain failure, and both tries are in the ledger.
    fake.script('responses', { kind: 'schemaInvalid' }, { kind: 'schemaInvalid' })
    const failure = await generate(context(), { prompt: ideas, input: { topic: 'never valid', count: 1 }, workspaceId }).catch(error => error)
    expect(failure).toMatchObject({ statusCode: 502, data: { reason: 'malformed' } })
    fake.expectedKey = undefined
  })

  it('refuses a paid provider with no key, saying where to add one', async () => {
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', apiKey: null }), userId, env, SECRETS)
    const { provider } = scriptedProvider([])
    const refused = await generate(context(provider), { prompt: ideas, input: { topic: 'no key', count: 1 }, workspaceId }).catch(error => error)
    expect(refused).toMatchObject({ statusCode: 400, data: { reason: 'auth' } })
    expect(refused.message).toMatch(/Settings → AI/)
  })
})
