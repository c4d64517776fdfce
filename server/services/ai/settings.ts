// Which provider, model and key a workspace's AI calls use: its saved AiSettings row, else the server's environment
// (AI_PROVIDER and its key). The key is decrypted only here, only to make a call, and never leaves the server.
import { defaultModels, type AiProviderName, type AiSettingsView, type aiSettingsInput } from '#shared/ai'
import type { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import type { ServerConfig } from '../config/env'
import { recordAudit } from '../audit'
import { badRequest } from '../errors'
import type { SecretBox } from '../security/secrets'
import { monthSpend } from './ledger'

/** What a call needs: never sent to a browser, never logged. */
export interface AiConfig {
  provider: AiProviderName
  model: string
  baseUrl: string | null
  apiKey: string | null
  monthlyBudgetUsd: number | null
  /** The saved row's updatedAt, or null when the environment decides: what a remembered configuration is checked against. */
  version: Date | null
}

type AiEnvironment = ServerConfig['ai']

function environmentConfig(env: AiEnvironment): AiConfig {
  if (env.provider === 'grok') return { provider: 'openai', model: 'grok-4.3', baseUrl: 'https://api.x.ai/v1', apiKey: env.grokApiKey ?? null, monthlyBudgetUsd: null, version: null }
  if (env.provider === 'openai') return { provider: 'openai', model: defaultModels.openai, baseUrl: env.openai.baseUrl ?? null, apiKey: env.openai.apiKey ?? null, monthlyBudgetUsd: null, version: null }
  if (env.provider === 'gemini') return { provider: 'gemini', model: defaultModels.gemini, baseUrl: null, apiKey: env.geminiApiKey ?? null, monthlyBudgetUsd: null, version: null }
  return { provider: 'local', model: defaultModels.local, baseUrl: null, apiKey: null, monthlyBudgetUsd: null, version: null }
}

// A workspace that chose a provider without its own key uses the server's key for that provider, if it has one.
function environmentKey(env: AiEnvironment, provider: AiProviderName, baseUrl: string | null): string | null {
  if (provider === 'gemini') return env.geminiApiKey ?? null
  if (provider === 'openai') {
    if (baseUrl?.includes('api.x.ai')) return env.grokApiKey ?? null
    if (!baseUrl || baseUrl === env.openai.baseUrl) return env.openai.apiKey ?? null
  }
  return null
}

export async function resolveAiConfig(db: PrismaClient, workspaceId: string, env: AiEnvironment, secrets: SecretBox): Promise<AiConfig> {
  const row = await db.aiSettings.findUnique({ where: { workspaceId } })
  if (!row) return environmentConfig(env)
  const provider = row.provider as AiProviderName
  const budget = row.monthlyBudgetUsd === null ? null : Number(row.monthlyBudgetUsd)
  if (provider === 'local') return { provider, model: defaultModels.local, baseUrl: null, apiKey: null, monthlyBudgetUsd: budget, version: row.updatedAt }
  return {
    provider,
    model: row.model ?? defaultModels[provider],
    baseUrl: row.baseUrl,
    apiKey: row.apiKeyEncrypted ? secrets.decrypt(row.apiKeyEncrypted) : environmentKey(env, provider, row.baseUrl),
    monthlyBudgetUsd: budget,
    version: row.updatedAt,
  }
}

export async function readAiSettings(db: PrismaClient, workspaceId: string, env: AiEnvironment, secrets: SecretBox): Promise<AiSettingsView> {
  const [row, spend] = await Promise.all([db.aiSettings.findUnique({ where: { workspaceId } }), monthSpend(db, workspaceId)])
  const config = row ? null : environmentConfig(env)
  let keyHint: string | null = null
  if (row?.apiKeyEncrypted) {
    try {
      keyHint = secrets.decrypt(row.apiKeyEncrypted).slice(-4)
    }
    catch {
      keyHint = null
    }
  }
  const provider = (row?.provider ?? config!.provider) as AiProviderName
  return {
    provider,
    model: row ? (provider === 'local' ? defaultModels.local : row.model ?? defaultModels[provider]) : config!.model,
    baseUrl: row ? row.baseUrl : config!.baseUrl,
    hasKey: Boolean(row?.apiKeyEncrypted),
    keyHint,
    monthlyBudgetUsd: row?.monthlyBudgetUsd == null ? null : Number(row.monthlyBudgetUsd),
    fromEnvironment: !row,
    environmentKeys: { openai: Boolean(env.openai.apiKey || env.grokApiKey), gemini: Boolean(env.geminiApiKey) },
    monthSpendUsd: spend,
  }
}

export async function saveAiSettings(
  db: PrismaClient,
  workspaceId: string,
  input: z.output<typeof aiSettingsInput>,
  userId: string,
  env: AiEnvironment,
  secrets: SecretBox,
): Promise<AiSettingsView> {
  if (input.provider === 'gemini' && input.apiKey === null && !env.geminiApiKey) {
    throw badRequest('Gemini needs a key: paste one, or choose Local.')
  }
  // A key saved for one server is never sent to another: a new provider or base URL without a new key removes it.
  const current = await db.aiSettings.findUnique({ where: { workspaceId }, select: { provider: true, baseUrl: true, apiKeyEncrypted: true } })
  const baseUrl = input.provider === 'openai' ? input.baseUrl : null
  const movedAway = Boolean(current?.apiKeyEncrypted) && (current!.provider !== input.provider || current!.baseUrl !== baseUrl)
  const apiKey = input.apiKey === undefined && movedAway ? null : input.apiKey
  const keyChange = apiKey === undefined
    ? {}
    : { apiKeyEncrypted: apiKey === null ? null : secrets.encrypt(apiKey) }
  const data = {
    provider: input.provider,
    model: input.provider === 'local' ? null : input.model,
    baseUrl,
    ...(input.monthlyBudgetUsd === undefined ? {} : { monthlyBudgetUsd: input.monthlyBudgetUsd }),
    updatedById: userId,
    ...keyChange,
  }
  await db.$transaction(async (tx) => {
    await tx.aiSettings.upsert({ where: { workspaceId }, create: { workspaceId, ...data }, update: data })
    await recordAudit(tx, { action: 'ai.settings.updated', workspaceId, actorId: userId, targetType: 'workspace', targetId: workspaceId, metadata: { provider: input.provider, keyChanged: apiKey !== undefined } })
  })
  return readAiSettings(db, workspaceId, env, secrets)
}
