// Settings → AI → "Test connection": one tiny request through the workspace's saved provider, past the response cache
// (a cached answer would say nothing about the key), logged in the ledger like any call. Any reply proves the key and
// the address work; a failure comes back in the same plain words generate() uses, never with the key or the raw body.
import type { AiConnectionTest } from '#shared/ai'
import { ServiceError } from '../errors'
import type { AiContext } from './generate'
import { estimateCost, monthSpend, recordCall } from './ledger'
import { createProvider } from './providers'
import { resolveAiConfig } from './settings'
import type { ProviderUsage } from './types'

const PROMPT_VERSION = 'connection-test/1'
const TEST_TIMEOUT_MS = 20_000
const noUsage: ProviderUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 }

/** A provider error's plain message and reason, as generate() would turn it into a ServiceError. */
function describeFailure(error: unknown, provider: string): { reason: string, message: string } {
  if (error instanceof ServiceError) return { reason: String(error.data?.reason ?? 'unavailable'), message: error.message }
  const kind = (error as { kind?: unknown })?.kind
  if (typeof kind === 'string' && error instanceof Error) return { reason: kind, message: error.message }
  return { reason: 'unavailable', message: `The ${provider} provider did not answer as expected. Check the base URL and the model name.` }
}

export async function testAiConnection(context: AiContext, workspaceId: string, userId: string | null): Promise<AiConnectionTest> {
  const { db } = context
  const config = await resolveAiConfig(db, workspaceId, context.ai, context.secrets)
  const base = { provider: config.provider, model: config.model }
  if (config.provider === 'local') {
    return { ...base, ok: true, reason: null, latencyMs: null, message: 'The local generator runs on this server: there is nothing to connect to, and it costs nothing.' }
  }
  if (config.monthlyBudgetUsd !== null) {
    const spent = await monthSpend(db, workspaceId)
    if (spent >= config.monthlyBudgetUsd) {
      return { ...base, ok: false, reason: 'budget', latencyMs: null, message: `This month's budget is used up ($${spent.toFixed(2)} of $${config.monthlyBudgetUsd.toFixed(2)}), so no call was made. Raise the budget to test the key.` }
    }
  }
  if (!config.apiKey && !(config.provider === 'openai' && config.baseUrl)) {
    return { ...base, ok: false, reason: 'auth', latencyMs: null, message: `No key is saved for ${config.provider === 'gemini' ? 'Gemini' : 'OpenAI'}: paste one and save, then test again.` }
  }

  const ledger = { workspaceId, userId, provider: config.provider, purpose: 'connection.test' as const, promptVersion: PROMPT_VERSION }
  const started = performance.now()
  try {
    const provider = context.providerFor?.(config) ?? createProvider(config, { timeoutMs: context.timeoutMs ?? TEST_TIMEOUT_MS })
    const reply = await provider.complete({
      purpose: 'connection.test',
      instructions: 'This request checks that the connection works. Answer with the JSON object {"reply": "ok"} and nothing else.',
      prompt: 'Reply with {"reply": "ok"}.',
      jsonSchema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'], additionalProperties: false },
      schemaName: 'connection_test',
    })
    const latencyMs = Math.round(performance.now() - started)
    const model = reply.model || config.model
    await recordCall(db, { ...ledger, model, usage: reply.usage, costUsd: estimateCost(config.provider, model, config.baseUrl, reply.usage), cacheHit: false, latencyMs, status: 'succeeded' })
    return { provider: config.provider, model, ok: true, reason: null, latencyMs, message: `Connected: ${model} answered in ${(latencyMs / 1000).toFixed(1)} s.` }
  }
  catch (error) {
    const latencyMs = Math.round(performance.now() - started)
    const failure = describeFailure(error, config.provider === 'gemini' ? 'Gemini' : 'OpenAI-compatible')
    await recordCall(db, { ...ledger, model: config.model, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs, status: 'failed', error: failure.message })
    return { ...base, ok: false, reason: failure.reason, latencyMs, message: failure.message }
  }
}
