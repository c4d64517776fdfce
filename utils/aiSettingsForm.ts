import { defaultModels, openAiCompatiblePresets, type AiProviderName, type AiSettingsInput, type AiSettingsView } from '#shared/ai'

// Settings → AI as the form holds it. The key is write-only: the form never has the saved one, only what to do with it.

export type AiKeyAction = 'keep' | 'replace' | 'remove'

export interface AiSettingsFormState {
  provider: AiProviderName
  /** An OpenAI-compatible preset's key, or 'custom' for a base URL of one's own. */
  preset: string
  model: string
  baseUrl: string
  keyAction: AiKeyAction
  /** A new key being typed (only with keyAction 'replace'). */
  apiKey: string
  /** Dollars as typed; empty for no budget. */
  budget: string
}

/** Which preset a base URL is ('' is OpenAI's own), or 'custom'. */
export function presetOf(baseUrl: string | null | undefined): string {
  return openAiCompatiblePresets.find(preset => preset.baseUrl === (baseUrl ?? ''))?.key ?? 'custom'
}

export function formStateOf(view: AiSettingsView): AiSettingsFormState {
  return {
    provider: view.provider,
    preset: presetOf(view.baseUrl),
    model: view.provider === 'local' ? '' : view.model,
    baseUrl: view.baseUrl ?? '',
    keyAction: view.hasKey ? 'keep' : 'replace',
    apiKey: '',
    budget: view.monthlyBudgetUsd === null ? '' : String(view.monthlyBudgetUsd),
  }
}

/** The PUT body: a typed key sets it, 'remove' sends null, anything else keeps the saved one. */
export function formBody(state: AiSettingsFormState): AiSettingsInput {
  const local = state.provider === 'local'
  const budget = state.budget.trim()
  return {
    provider: state.provider,
    model: local ? undefined : state.model.trim(),
    baseUrl: state.provider === 'openai' ? state.baseUrl.trim() : undefined,
    apiKey: local ? undefined : state.keyAction === 'remove' ? null : state.keyAction === 'replace' && state.apiKey.trim() ? state.apiKey.trim() : undefined,
    monthlyBudgetUsd: budget === '' ? null : Number(budget),
  }
}

/** Whether saving would change anything (the test button tests what is saved). */
export function formChanged(state: AiSettingsFormState, saved: AiSettingsView): boolean {
  const body = formBody(state)
  const before = formBody(formStateOf(saved))
  return body.apiKey !== undefined || JSON.stringify({ ...body, apiKey: undefined }) !== JSON.stringify({ ...before, apiKey: undefined })
}

/** True when a saved key would be removed on save because the provider or server changed (it is never sent elsewhere). */
export function keyWillBeRemoved(state: AiSettingsFormState, saved: AiSettingsView): boolean {
  if (!saved.hasKey || state.keyAction === 'remove' || (state.keyAction === 'replace' && state.apiKey.trim())) return false
  const baseUrl = state.provider === 'openai' ? state.baseUrl.trim() : ''
  return state.provider !== saved.provider || baseUrl !== (saved.baseUrl ?? '')
}

/** The model a provider uses when the field is left empty. */
export function modelPlaceholder(state: AiSettingsFormState): string {
  if (state.provider === 'openai') return openAiCompatiblePresets.find(preset => preset.key === state.preset)?.model || defaultModels.openai
  return defaultModels[state.provider]
}
