// The provider a workspace's configuration names. Local work never comes here: generate() answers it from the
// prompt template itself.
import type { AiConfig } from '../settings'
import type { AiProvider } from '../types'
import { createGeminiProvider, type MediaReader } from './gemini'
import { createOpenAiProvider } from './openai'

export interface ProviderOptions {
  /** A stored video as a file this machine can read, for providers that look at media (Gemini's Files API). */
  readMedia?: MediaReader
  timeoutMs?: number
}

export function createProvider(config: AiConfig, options: ProviderOptions = {}): AiProvider {
  if (config.provider === 'gemini') {
    return createGeminiProvider({ apiKey: config.apiKey ?? '', baseUrl: config.baseUrl ?? undefined, model: config.model, timeoutMs: options.timeoutMs, readMedia: options.readMedia })
  }
  if (config.provider === 'openai') {
    // A keyless local server (Ollama, vLLM) still needs some key for the SDK; it ignores it.
    return createOpenAiProvider({ apiKey: config.apiKey ?? 'no-key', baseUrl: config.baseUrl ?? undefined, model: config.model, timeoutMs: options.timeoutMs })
  }
  throw new Error('The local provider is answered by generate() itself')
}
