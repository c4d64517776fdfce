// Settings → AI's form rules (the key is write-only: the form only says what to do with it) and the Usage page's
// figures as people read them.
import { describe, expect, it } from 'vitest'
import { usageRange } from '../../server/services/ai/usage'
import { formBody, formChanged, formStateOf, keyWillBeRemoved, presetOf } from '../../utils/aiSettingsForm'
import { addDays, aiSettingsInput, formatRate, formatTokens, formatUsd, todayIn, type AiSettingsView } from '#shared/ai'

const saved: AiSettingsView = {
  provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', hasKey: true, keyHint: 'wxyz', monthlyBudgetUsd: 10,
  fromEnvironment: false, environmentKeys: { openai: false, gemini: false }, monthSpendUsd: 1.5,
}

describe('the AI settings form', () => {
  it('starts from the saved view, sends nothing about the key unless asked, and accepts its own body', () => {
    const state = formStateOf(saved)
    expect(state).toMatchObject({ provider: 'openai', preset: 'openrouter', keyAction: 'keep', apiKey: '', budget: '10' })
    expect(formBody(state)).toEqual({ provider: 'openai', model: 'openai/gpt-5-mini', baseUrl: 'https://openrouter.ai/api/v1', apiKey: undefined, monthlyBudgetUsd: 10 })
    expect(formChanged(state, saved)).toBe(false)
    expect(aiSettingsInput.safeParse(formBody(state)).success).toBe(true)
  })

  it('sends a typed key, null to remove, and an empty budget as no budget', () => {
    const state = formStateOf(saved)
    expect(formBody({ ...state, keyAction: 'replace', apiKey: '  sk-new-1234567  ' }).apiKey).toBe('sk-new-1234567')
    expect(formBody({ ...state, keyAction: 'replace', apiKey: '' }).apiKey).toBeUndefined()
    expect(formBody({ ...state, keyAction: 'remove' }).apiKey).toBeNull()
    expect(formChanged({ ...state, keyAction: 'remove' }, saved)).toBe(true)
    expect(formBody({ ...state, budget: ' ' }).monthlyBudgetUsd).toBeNull()
    expect(formChanged({ ...state, budget: '' }, saved)).toBe(true)
    const typo = aiSettingsInput.safeParse(formBody({ ...state, budget: 'ten' }))
    expect(typo.success ? '' : typo.error.issues[0]!.path).toEqual(['monthlyBudgetUsd'])
  })

  it('warns that a saved key goes when the provider or server changes without a new key', () => {
    const state = formStateOf(saved)
    expect(keyWillBeRemoved(state, saved)).toBe(false)
    expect(keyWillBeRemoved({ ...state, baseUrl: 'https://api.x.ai/v1' }, saved)).toBe(true)
    expect(keyWillBeRemoved({ ...state, provider: 'gemini' }, saved)).toBe(true)
    expect(keyWillBeRemoved({ ...state, provider: 'gemini', keyAction: 'replace', apiKey: 'AIza-new-key-123' }, saved)).toBe(false)
    expect(keyWillBeRemoved({ ...state, baseUrl: 'https://api.x.ai/v1' }, { ...saved, hasKey: false })).toBe(false)
  })

  it('knows the presets by their base URL', () => {
    expect(presetOf('')).toBe('openai')
    expect(presetOf(null)).toBe('openai')
    expect(presetOf('http://localhost:11434/v1')).toBe('ollama')
    expect(presetOf('https://llm.example.com/v1')).toBe('custom')
  })
})

describe('usage figures', () => {
  it('formats spend, tokens and rates as people read them', () => {
    expect([formatUsd(0), formatUsd(0.0031), formatUsd(0.5), formatUsd(1234.5)]).toEqual(['$0', '$0.0031', '$0.50', '$1,234.50'])
    expect([formatTokens(950), formatTokens(1234), formatTokens(12_345), formatTokens(4_100_000)]).toEqual(['950', '1.2k', '12k', '4.1M'])
    expect([formatRate(null), formatRate(2 / 3)]).toEqual(['–', '67%'])
  })

  it('reads the default range as the 30 days up to today in the workspace\'s zone', () => {
    const now = new Date('2026-11-30T20:00:00Z')
    expect(todayIn('Pacific/Auckland', now)).toBe('2026-12-01')
    expect(todayIn('America/Los_Angeles', now)).toBe('2026-11-30')
    expect(usageRange({}, 'Pacific/Auckland', now)).toEqual({ from: '2026-11-02', to: '2026-12-01' })
    expect(usageRange({ from: '2026-02-01' }, 'UTC', now)).toEqual({ from: '2026-02-01', to: '2026-03-02' })
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })
})
