// The usage ledger: one AiCall row per request to a provider and per cache hit, priced with @pydantic/genai-prices'
// bundled data (never updatePrices(): it downloads). The Usage page and the monthly budget read these rows.
import { calcPrice } from '@pydantic/genai-prices'
import type { PrismaClient } from '../../generated/prisma/client'
import type { AiProviderName, AiPurpose, ProviderUsage } from './types'

// genai-prices names Google "google" and xAI "x-ai"; an OpenAI-compatible base URL tells which server it is.
function priceProvider(provider: AiProviderName, baseUrl: string | null): string | undefined {
  if (provider === 'gemini') return 'google'
  if (provider !== 'openai') return undefined
  if (!baseUrl) return 'openai'
  if (baseUrl.includes('api.x.ai')) return 'x-ai'
  if (baseUrl.includes('openrouter.ai')) return 'openrouter'
  if (baseUrl.includes('api.openai.com')) return 'openai'
  // Ollama, vLLM and other self-hosted servers: the model name may still be a known one, but the call costs nothing.
  return undefined
}

/** Estimated USD for one call; 0 for local work, self-hosted servers and models the bundled price list does not know. */
export function estimateCost(provider: AiProviderName, model: string, baseUrl: string | null, usage: ProviderUsage): number {
  const providerId = priceProvider(provider, baseUrl)
  if (!providerId || (usage.inputTokens === 0 && usage.outputTokens === 0)) return 0
  try {
    const price = calcPrice({ input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: usage.cachedTokens || undefined }, model, { providerId })
    return price ? Math.round(price.total_price * 1e6) / 1e6 : 0
  }
  catch {
    return 0
  }
}

export interface LedgerEntry {
  workspaceId: string
  userId?: string | null
  provider: AiProviderName
  model: string
  purpose: AiPurpose
  promptVersion: string
  usage: ProviderUsage
  costUsd: number
  cacheHit: boolean
  latencyMs: number
  status: 'succeeded' | 'failed'
  /** A plain reason, never a key, a prompt or a provider's raw body. */
  error?: string
}

export async function recordCall(db: PrismaClient, entry: LedgerEntry): Promise<string> {
  const row = await db.aiCall.create({
    data: {
      workspaceId: entry.workspaceId,
      userId: entry.userId ?? null,
      provider: entry.provider,
      model: entry.model,
      purpose: entry.purpose,
      promptVersion: entry.promptVersion,
      inputTokens: entry.usage.inputTokens,
      cachedTokens: entry.usage.cachedTokens,
      outputTokens: entry.usage.outputTokens,
      costUsd: entry.costUsd,
      cacheHit: entry.cacheHit,
      latencyMs: Math.round(entry.latencyMs),
      status: entry.status,
      error: entry.error?.slice(0, 500),
    },
    select: { id: true },
  })
  return row.id
}

/** Estimated USD spent this calendar month in the workspace's own time zone. */
export async function monthSpend(db: PrismaClient, workspaceId: string): Promise<number> {
  const rows = await db.$queryRaw<{ spend: string | null }[]>`
    SELECT COALESCE(SUM(c."costUsd"), 0)::text AS spend
    FROM "AiCall" c JOIN "Workspace" w ON w.id = c."workspaceId"
    WHERE c."workspaceId" = ${workspaceId}::uuid
      AND c."createdAt" >= (date_trunc('month', now() AT TIME ZONE w."timeZone") AT TIME ZONE w."timeZone")`
  return Number(rows[0]?.spend ?? 0)
}
