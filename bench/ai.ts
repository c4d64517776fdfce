// The AI layer's cost in time and in tokens:
//   - cache hit: generate() answering a repeated request from the cache (one statement: the entry's hit count and the
//     ledger row), p50 and p95 over many hits, on PostgreSQL and on the embedded PGlite;
//   - overhead: generate() (settings, cache miss, ledger, cache write, zod) against a bare `openai` SDK call to the same
//     loopback fake, as a ratio of medians, with the fake answering after a model-like delay (a real model takes
//     seconds; the ratio at no delay is printed too, with the overhead in ms);
//   - a repeated workflow: readings of 10 videos, a strategy and 5 scripts through the real prompt templates against
//     the fake (which counts tokens from the text it is sent and returns), then again with one video changed: the
//     tokens the second run costs against the first.
//   npx tsx bench/ai.ts [--quick]
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { PrismaPg } from '@prisma/adapter-pg'
import OpenAI from 'openai'
import { z } from 'zod'
import { PrismaClient } from '../server/generated/prisma/client'
import type { ServerConfig } from '../server/services/config/env'
import { startEmbeddedDatabase } from '../server/services/db/embedded'
import { migrateIfBehind } from '../server/services/db/migrate'
import { readMigrationsDir } from '../server/services/db/migration-files'
import { generate, outputJsonSchema, type AiContext } from '../server/services/ai/generate'
import { saveAiSettings } from '../server/services/ai/settings'
import { createSecretBox } from '../server/services/security/secrets'
import type { PromptTemplate } from '../server/services/ai/types'
import { aiSettingsInput } from '#shared/ai'
import { startFakeOpenAi, type FakeOpenAi } from '../test/support/fake-openai'
import { createScratchPostgres } from '../test/support/postgres'
import { median } from './support'
import { runWorkflow } from './ai-workflow'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const hits = values.quick ? 200 : 1000
const overheadSamples = values.quick ? 20 : 60
const MODEL_DELAY_MS = 150
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString('base64')
const SECRETS = createSecretBox([ENCRYPTION_KEY])
const env: ServerConfig['ai'] = { provider: 'local', openai: { apiKey: undefined, baseUrl: undefined }, geminiApiKey: undefined, grokApiKey: undefined }

const planSchema = z.object({ title: z.string(), hooks: z.array(z.object({ line: z.string(), why: z.string() })), postsPerWeek: z.number() })
const plan: PromptTemplate<{ topic: string, run: number }, z.infer<typeof planSchema>> = {
  purpose: 'strategy.generate',
  version: 'bench-plan/1',
  schema: planSchema,
  instructions: 'You plan short videos for a creator. Answer in the JSON schema given.',
  render: input => `Plan a week of short videos about ${input.topic}. Request ${input.run}.`,
  local: input => ({ title: input.topic, hooks: [{ line: `About ${input.topic}`, why: 'template' }], postsPerWeek: 3 }),
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}
const round = (value: number, digits = 2) => Number(value.toFixed(digits))

async function openDatabase(url: string) {
  await migrateIfBehind(url, await readMigrationsDir(resolve(import.meta.dirname, '../prisma/migrations')))
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) })
  const run = randomUUID().slice(0, 8)
  const userId = (await db.user.create({ data: { email: `bench-${run}@ai.test`, name: 'Bench' } })).id
  const workspaceId = (await db.workspace.create({ data: { name: 'Bench', slug: `bench-ai-${run}` } })).id
  return { db, userId, workspaceId }
}

async function cacheHits(label: string, url: string, fake: FakeOpenAi) {
  const { db, workspaceId, userId } = await openDatabase(url)
  try {
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKey: 'sk-bench-0000000000' }), userId, env, SECRETS)
    const context: AiContext = { db, ai: env, secrets: SECRETS }
    const request = { prompt: plan, input: { topic: 'knife skills', run: 0 }, workspaceId, userId }
    await generate(context, request)
    const before = fake.calls('responses')
    for (let index = 0; index < 20; index++) await generate(context, request)
    const samples: number[] = []
    for (let index = 0; index < hits; index++) {
      const started = performance.now()
      const result = await generate(context, request)
      samples.push(performance.now() - started)
      if (!result.provenance.cacheHit) throw new Error('a repeated request missed the cache')
    }
    if (fake.calls('responses') !== before) throw new Error('a cache hit reached the provider')
    const p50 = round(percentile(samples, 0.5)), p95 = round(percentile(samples, 0.95))
    console.log(`${label.padEnd(9)} cache hit: p50 ${p50} ms, p95 ${p95} ms over ${hits} hits (target p95 < 5 ms: ${p95 < 5 ? 'met' : 'MISSED'})`)
    return { p50, p95 }
  }
  finally {
    await db.$disconnect()
  }
}

async function overhead(url: string, fake: FakeOpenAi, delayMs: number) {
  const { db, workspaceId, userId } = await openDatabase(url)
  try {
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKey: 'sk-bench-0000000000' }), userId, env, SECRETS)
    const context: AiContext = { db, ai: env, secrets: SECRETS }
    const client = new OpenAI({ apiKey: 'sk-bench-0000000000', baseURL: fake.url, maxRetries: 0 })
    const schema = outputJsonSchema(planSchema)
    fake.respondWith('responses', delayMs ? { kind: 'delay', ms: delayMs } : undefined)
    const bare = async (run: number) => {
      const input = { topic: 'knife skills', run }
      const response = await client.responses.create({
        model: 'gpt-5-mini', instructions: plan.instructions, input: [{ role: 'user', content: plan.render(input) }], store: false,
        text: { format: { type: 'json_schema', name: 'strategy_generate', strict: true, schema } },
      })
      return planSchema.parse(JSON.parse(response.output_text))
    }
    const ours = (run: number) => generate(context, { prompt: plan, input: { topic: 'knife skills', run }, workspaceId, userId })
    // Warm both paths, then alternate them so the machine's drift falls on both alike; every request is new (a miss).
    await bare(-1)
    await ours(-1)
    const bareMs: number[] = [], oursMs: number[] = []
    for (let run = 0; run < overheadSamples; run++) {
      let started = performance.now()
      await bare(run)
      bareMs.push(performance.now() - started)
      started = performance.now()
      await ours(run)
      oursMs.push(performance.now() - started)
    }
    fake.respondWith('responses', undefined)
    return { bare: median(bareMs), ours: median(oursMs), ratio: median(oursMs) / median(bareMs) }
  }
  finally {
    await db.$disconnect()
  }
}

const fake = await startFakeOpenAi()
const postgres = await createScratchPostgres('reelwise_bench_ai')
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-ai-'))
const embedded = await startEmbeddedDatabase(dir)
try {
  const pgHits = await cacheHits('postgres', postgres.url, fake)
  const pgliteHits = await cacheHits('pglite', embedded.url, fake)
  const atDelay = await overhead(postgres.url, fake, MODEL_DELAY_MS)
  const noDelay = await overhead(postgres.url, fake, 0)
  console.log(`overhead  with the fake answering after ${MODEL_DELAY_MS} ms: generate() ${round(atDelay.ours, 1)} ms vs bare SDK ${round(atDelay.bare, 1)} ms (median of ${overheadSamples}) = ×${round(atDelay.ratio, 3)} (target ≤ ×1.10: ${atDelay.ratio <= 1.1 ? 'met' : 'MISSED'})`)
  console.log(`overhead  with an instant fake: generate() ${round(noDelay.ours, 1)} ms vs bare SDK ${round(noDelay.bare, 1)} ms = ×${round(noDelay.ratio, 2)} (our layer adds ${round(noDelay.ours - noDelay.bare, 1)} ms)`)
  const workflow = await runWorkflow(postgres.url, fake)
  console.log(`workflow  10 readings + a strategy + 5 scripts: ${workflow.firstTokens} tokens; again with one video changed: ${workflow.secondTokens} tokens (${workflow.calls.second} of ${workflow.calls.first} calls made) = ${round(100 * (1 - workflow.secondTokens / workflow.firstTokens), 1)}% fewer (target ≥ 50%: ${workflow.secondTokens <= workflow.firstTokens / 2 ? 'met' : 'MISSED'})`)
  console.log(`RESULT ${JSON.stringify({
    postgres_cache_hit_p50_ms: pgHits.p50, postgres_cache_hit_p95_ms: pgHits.p95, pglite_cache_hit_p50_ms: pgliteHits.p50, pglite_cache_hit_p95_ms: pgliteHits.p95,
    overhead_ratio: round(atDelay.ratio, 3), overhead_model_delay_ms: MODEL_DELAY_MS, overhead_ratio_instant: round(noDelay.ratio, 2), overhead_added_ms: round(noDelay.ours - noDelay.bare, 1),
    workflow_first_tokens: workflow.firstTokens, workflow_second_tokens: workflow.secondTokens, workflow_token_saving: round(1 - workflow.secondTokens / workflow.firstTokens, 3),
  })}`)
}
finally {
  await fake.close()
  await embedded.close()
  await postgres.drop()
  await rm(dir, { recursive: true, force: true })
}
