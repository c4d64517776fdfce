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
