import { z } from 'zod'

// The AI provider a workspace uses, as the settings form and its route see it. The key is write-only: a browser
// sends one to set it, `null` to remove it, nothing to keep it, and only ever sees whether one is saved.

export const aiProviders = ['local', 'openai', 'gemini'] as const
export type AiProviderName = typeof aiProviders[number]

export const defaultModels: Record<AiProviderName, string> = {
  local: 'reelwise-templates-1',
  openai: 'gpt-5-mini',
  gemini: 'gemini-3.8-flash',
}

/** OpenAI-compatible servers reached through a base URL, offered as presets in Settings. */
export const openAiCompatiblePresets = [
  { key: 'openai', label: 'OpenAI', baseUrl: '', model: 'gpt-5-mini' },
  { key: 'xai', label: 'xAI Grok', baseUrl: 'https://api.x.ai/v1', model: 'grok-4.3' },
  { key: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', model: 'openai/gpt-5-mini' },
  { key: 'ollama', label: 'Ollama (your machine)', baseUrl: 'http://localhost:11434/v1', model: 'llama3.2' },
  { key: 'vllm', label: 'vLLM (your server)', baseUrl: 'http://localhost:8000/v1', model: '' },
] as const

export const aiSettingsInput = z.object({
  provider: z.enum(aiProviders, { error: 'Choose Local, OpenAI-compatible or Gemini.' }),
  model: z.string().trim().max(120, 'A model name has at most 120 characters.').optional().transform(value => value || null),
  baseUrl: z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/, error: 'Give the server\'s address starting with http:// or https://.' }).max(500),
  ]).optional().transform(value => value || null),
  // A string sets the key, null removes it, absent keeps the saved one.
  apiKey: z.string().trim().min(8, 'That key looks too short: paste the whole key.').max(500).nullable().optional(),
  monthlyBudgetUsd: z.number({ error: 'Give the budget in US dollars, e.g. 10.' })
    .min(0, 'A budget cannot be negative; leave it empty for no budget.')
    .max(100_000, 'At most $100,000 a month.')
    .nullable().optional(),
})

export type AiSettingsInput = z.input<typeof aiSettingsInput>

export interface AiSettingsView {
  provider: AiProviderName
  model: string
  baseUrl: string | null
  /** Whether a key is saved for this workspace (never the key). */
  hasKey: boolean
  /** The key's last four characters, for admins to recognise it. */
  keyHint: string | null
  monthlyBudgetUsd: number | null
  /** True when no row is saved and the server's environment decides. */
  fromEnvironment: boolean
  /** Whether the server has a key of its own for each provider (env), so a workspace may leave its key empty. */
  environmentKeys: Record<Exclude<AiProviderName, 'local'>, boolean>
  /** This month's estimated spend (workspace time zone), in USD. */
  monthSpendUsd: number
}

/** Who made an output, as every screen that shows one names it. */
export interface AiProvenanceView {
  provider: AiProviderName
  model: string
  promptVersion: string
  cacheHit: boolean
  at: string
}

export const providerLabels: Record<AiProviderName, string> = { local: 'Local templates', openai: 'OpenAI-compatible', gemini: 'Gemini' }

/** "gpt-5-mini via OpenAI-compatible, from cache": the line under every AI output. */
export function describeProvenance(provenance: Pick<AiProvenanceView, 'provider' | 'model' | 'cacheHit'>): string {
  const who = provenance.provider === 'local' ? 'Local templates (no AI model; measured numbers only)' : `${provenance.model} via ${providerLabels[provenance.provider]}`
  return provenance.cacheHit ? `${who}, from cache` : who
}

/** What every member sees of the AI settings: which provider and model their AI output comes from. */
export interface AiSettingsSummary {
  provider: AiProviderName
  model: string
  fromEnvironment: boolean
}

/** GET …/ai/settings: admins (ai.manage) get the whole view; other members the summary. */
export type AiSettingsResponse = ({ canManage: true } & AiSettingsView) | ({ canManage: false } & AiSettingsSummary)

/** POST …/ai/settings/test: whether one tiny call through the saved provider worked, in plain words. */
export interface AiConnectionTest {
  ok: boolean
  provider: AiProviderName
  model: string
  /** Why it failed, as generate() names it ('auth', 'budget', 'rate_limited', 'unavailable', …). */
  reason: string | null
  message: string
  latencyMs: number | null
}

/** What the ledger's rows are for, as the Usage page names them; an unknown purpose reads as itself. */
export const aiPurposeLabels: Record<string, string> = {
  'video.reading': 'Video readings',
  'strategy.generate': 'Strategies',
  'script.generate': 'Scripts',
  'captions.transcribe': 'Transcripts',
  'connection.test': 'Connection tests',
}

export function purposeLabel(purpose: string): string {
  return aiPurposeLabels[purpose] ?? purpose
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/
const calendarDay = z.string().regex(isoDay, { error: 'use the form YYYY-MM-DD.', abort: true })
  .refine(value => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'there is no such day.')

/** The longest range the Usage page reads at once. */
export const AI_USAGE_MAX_DAYS = 366

/** GET …/ai/usage?from&to: days in the workspace's time zone, both included; by default the last 30 days. */
export const aiUsageQuery = z.object({ from: calendarDay.optional(), to: calendarDay.optional() })
  .refine(query => !query.from || !query.to || query.from <= query.to, { path: ['from'], message: 'it is after the end date.' })
  .refine(query => !query.from || !query.to || daysBetween(query.from, query.to) < AI_USAGE_MAX_DAYS, { path: ['from'], message: `at most ${AI_USAGE_MAX_DAYS} days at once.` })

/** Whole days from one YYYY-MM-DD to another (0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** YYYY-MM-DD plus a number of days. */
export function addDays(dayText: string, days: number): string {
  return new Date(Date.parse(`${dayText}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** Calls, tokens, cache hits and estimated spend of a group of ledger rows. */
export interface AiUsageFigures {
  calls: number
  cacheHits: number
  failed: number
  inputTokens: number
  /** Input tokens the provider served from its own prompt cache: part of inputTokens. */
  cachedTokens: number
  outputTokens: number
  /** Estimated USD (genai-prices' bundled list); local work, self-hosted servers and cache hits cost 0. */
  costUsd: number
  /** Cache hits over calls; null with no calls. */
  hitRate: number | null
}

export interface AiUsageDay extends AiUsageFigures {
  /** YYYY-MM-DD in the workspace's zone. */
  day: string
  /** Estimated USD per purpose that day (the chart's stacks). */
  costByPurpose: Record<string, number>
  /** Calls per purpose that day. */
  callsByPurpose: Record<string, number>
}

export interface AiUsageReport {
  from: string
  to: string
  timeZone: string
  totals: AiUsageFigures
  /** Every day of the range, days with no calls included. */
  byDay: AiUsageDay[]
  /** Purposes with calls in the range, most spent first. */
  byPurpose: (AiUsageFigures & { purpose: string })[]
  /** This calendar month in the workspace's zone, against the monthly budget. */
  month: { month: string, spendUsd: number, budgetUsd: number | null, reached: boolean }
}

/** "$12.40", "$0.0031" (a fraction of a cent stays visible), "$0". */
export function formatUsd(value: number): string {
  if (value === 0) return '$0'
  if (Math.abs(value) < 0.01) return `$${value.toFixed(4)}`
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** "950", "12.3k", "4.1M" tokens. */
export function formatTokens(value: number): string {
  if (value < 1000) return String(value)
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}k`
  return `${(value / 1_000_000).toFixed(1)}M`
}

/** "67%", or an en dash with nothing to divide. */
export function formatRate(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`
}
