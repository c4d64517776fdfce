// The one door to AI output. It picks the workspace's provider, answers a repeated request from the cache, keeps the
// monthly budget, validates what comes back (one re-ask with the validation error), and writes a ledger row every
// time, hits and failures included. Callers get zod-parsed output and its provenance, or a ServiceError in plain words.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import type { ServerConfig } from '../config/env'
import type { SecretBox } from '../security/secrets'
import { ServiceError } from '../errors'
import { cacheKey, takeFromCache, writeCache } from './cache'
import { estimateCost, monthSpend, recordCall } from './ledger'
import { createProvider, type ProviderOptions } from './providers'
import { resolveAiConfig, type AiConfig } from './settings'
import type { AiProvider, GenerateRequest, GenerateResult, PromptTemplate, ProviderUsage } from './types'
import { defaultModels } from '#shared/ai'

export interface AiContext {
  db: PrismaClient
  ai: ServerConfig['ai']
  /** Decrypts a workspace's saved key (ENCRYPTION_KEYS). */
  secrets: SecretBox
  readMedia?: ProviderOptions['readMedia']
  /** Tests and the bench swap the provider for one they hold; the app uses createProvider. */
  providerFor?: (config: AiConfig) => AiProvider
  timeoutMs?: number
}

const LOCAL: AiConfig = { provider: 'local', model: defaultModels.local, baseUrl: null, apiKey: null, monthlyBudgetUsd: null, version: null }

// Each workspace's configuration as last read, so a cache hit takes one statement: the hit is counted only if the
// saved settings are still the version remembered (checked in that statement); otherwise they are read again.
const remembered = new Map<string, AiConfig>()
const noUsage: ProviderUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 }

const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>()

/** The output's JSON schema as a model is shown it: zod's, without the `$schema` line providers refuse. Made once per schema. */
export function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let made = jsonSchemas.get(schema)
  if (!made) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>
    made = rest
    jsonSchemas.set(schema, made)
  }
  return made
}

// One client per provider, server, model and key, so calls reuse its connections (keep-alive) as a long-lived SDK
// client would. Keyed by a hash of the key, never the key itself; a handful of entries, the oldest dropped first.
const providers = new Map<string, AiProvider>()
function providerFor(config: AiConfig, context: AiContext): AiProvider {
  if (context.providerFor) return context.providerFor(config)
  const id = [config.provider, config.baseUrl ?? '', config.model, createHash('sha256').update(config.apiKey ?? '').digest('hex'), context.timeoutMs ?? ''].join('|')
  let provider = providers.get(id)
  if (!provider) {
    provider = createProvider(config, { readMedia: context.readMedia, timeoutMs: context.timeoutMs })
    providers.set(id, provider)
    if (providers.size > 32) providers.delete(providers.keys().next().value!)
  }
  return provider
}

function schemaName(prompt: PromptTemplate<unknown, unknown>): string {
  return prompt.purpose.replace(/[^a-z0-9]+/gi, '_')
}

/** "hooks.0.line: Required" lines, for the re-ask and for the ledger. */
function describeProblem(error: z.ZodError | Error): string {
  if (error instanceof z.ZodError) return error.issues.slice(0, 8).map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')
  return error.message
}

function parseReply<Output>(schema: z.ZodType<Output>, text: string): { ok: true, output: Output } | { ok: false, problem: string } {
  let json: unknown
  try {
    json = JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''))
  }
  catch {
    return { ok: false, problem: 'The reply was not valid JSON.' }
  }
  const parsed = schema.safeParse(json)
  return parsed.success ? { ok: true, output: parsed.data } : { ok: false, problem: describeProblem(parsed.error) }
}

function asServiceError(error: unknown, provider: string): ServiceError {
  // Providers throw AiProviderError (errors.ts), a ServiceError with its status and `data.reason`; anything else is unexpected.
  if (error instanceof ServiceError) return error
  return new ServiceError(502, `The ${provider} provider did not answer as expected. Try again, or use the local generator.`, { reason: 'unavailable', localAvailable: true })
}

export async function generate<Input, Output>(context: AiContext, request: GenerateRequest<Input, Output>): Promise<GenerateResult<Output>> {
  const { db } = context
  const { prompt, input, workspaceId } = request
  const keyOf = (config: AiConfig) => cacheKey({ provider: config.provider, model: config.model, baseUrl: config.baseUrl, promptVersion: prompt.version, input, media: request.media?.storageKey })
  const ledgerOf = (config: AiConfig) => ({ workspaceId, userId: request.userId, provider: config.provider, purpose: prompt.purpose, promptVersion: prompt.version })
  const fromCache = (cached: { response: unknown, aiCallId: string }, config: AiConfig): GenerateResult<Output> | null => {
    const stored = cached.response as { output?: unknown, model?: string }
    const parsed = prompt.schema.safeParse(stored?.output)
    // An entry the schema no longer accepts is asked again (and overwritten); its hit row stays as a record of the try.
    return parsed.success
      ? { output: parsed.data, provenance: { provider: config.provider, model: stored.model ?? config.model, promptVersion: prompt.version, aiCallId: cached.aiCallId, cacheHit: true, at: new Date().toISOString() } }
      : null
  }

  const known = request.forceLocal ? LOCAL : remembered.get(workspaceId)
  let triedKey: string | undefined
  if (known) {
    triedKey = keyOf(known)
    const cached = await takeFromCache(db, workspaceId, triedKey, ledgerOf(known), request.forceLocal ? undefined : known.version)
    const hit = cached && fromCache(cached, known)
    if (hit) return hit
  }
  const config = request.forceLocal ? LOCAL : await resolveAiConfig(db, workspaceId, context.ai, context.secrets)
  if (!request.forceLocal) {
    remembered.set(workspaceId, config)
    if (remembered.size > 5000) remembered.delete(remembered.keys().next().value!)
  }
  const key = keyOf(config)
  const ledger = ledgerOf(config)
  if (key !== triedKey) {
    const cached = await takeFromCache(db, workspaceId, key, ledger)
    const hit = cached && fromCache(cached, config)
    if (hit) return hit
  }

  if (config.provider === 'local') {
    const output = prompt.schema.parse(prompt.local(input))
    const [aiCallId] = await Promise.all([
      recordCall(db, { ...ledger, model: config.model, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs: 0, status: 'succeeded' }),
      writeCache(db, { workspaceId, key, provider: config.provider, model: config.model, promptVersion: prompt.version, response: { output, model: config.model } }),
    ])
    return { output, provenance: { provider: 'local', model: config.model, promptVersion: prompt.version, aiCallId, cacheHit: false, at: new Date().toISOString() } }
  }

  if (config.monthlyBudgetUsd !== null) {
    const spent = await monthSpend(db, workspaceId)
    if (spent >= config.monthlyBudgetUsd) {
      throw new ServiceError(402, `This workspace has used its AI budget for the month ($${spent.toFixed(2)} of $${config.monthlyBudgetUsd.toFixed(2)}). An admin can raise it in Settings → AI; the local generator still works and costs nothing.`, { reason: 'budget', localAvailable: true })
    }
  }
  if (!config.apiKey && !(config.provider === 'openai' && config.baseUrl)) {
    throw new ServiceError(400, `No key is saved for ${config.provider === 'gemini' ? 'Gemini' : 'OpenAI'}. An admin can add one in Settings → AI, or use the local generator.`, { reason: 'auth', localAvailable: true })
  }

  const provider = providerFor(config, context)
  const jsonSchema = outputJsonSchema(prompt.schema as z.ZodType)
  let repair: { reply: string, problem: string } | undefined
  // One bounded re-ask: the second request carries the first reply and why it did not validate.
  for (let attempt = 1; attempt <= 2; attempt++) {
    const attemptStarted = performance.now()
    let reply
    try {
      reply = await provider.complete({
        purpose: prompt.purpose,
        instructions: prompt.instructions,
        prompt: prompt.render(input),
        jsonSchema,
        schemaName: schemaName(prompt as PromptTemplate<unknown, unknown>),
        repair,
        media: request.media,
        signal: request.signal,
      })
    }
    catch (error) {
      const failure = asServiceError(error, config.provider)
      await recordCall(db, { ...ledger, model: config.model, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs: performance.now() - attemptStarted, status: 'failed', error: failure.message })
      throw failure
    }
    const costUsd = estimateCost(config.provider, reply.model || config.model, config.baseUrl, reply.usage)
    const parsed = parseReply(prompt.schema, reply.text)
    const ledgerRow = recordCall(db, {
      ...ledger,
      model: reply.model || config.model,
      usage: reply.usage,
      costUsd,
      cacheHit: false,
      latencyMs: performance.now() - attemptStarted,
      status: parsed.ok ? 'succeeded' : 'failed',
      error: parsed.ok ? undefined : `The answer did not fit the expected shape: ${parsed.problem}`,
    })
    if (parsed.ok) {
      const model = reply.model || config.model
      // The ledger row and the cache entry are independent writes: side by side, one round trip of waiting.
      const [aiCallId] = await Promise.all([ledgerRow, writeCache(db, { workspaceId, key, provider: config.provider, model, promptVersion: prompt.version, response: { output: parsed.output, model } })])
      return { output: parsed.output, provenance: { provider: config.provider, model, promptVersion: prompt.version, aiCallId, cacheHit: false, at: new Date().toISOString() } }
    }
    await ledgerRow
    repair = { reply: reply.text.slice(0, 20_000), problem: parsed.problem }
  }
  throw new ServiceError(502, `The ${config.provider === 'gemini' ? 'Gemini' : 'AI'} model's answer did not fit the expected shape twice. Try again, or use the local generator.`, { reason: 'malformed', localAvailable: true })
}
