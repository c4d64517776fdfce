// The provider a workspace's configuration names. Local work never comes here: generate() answers it from the
// prompt template itself. The openai and gemini providers are built in their own files.
import { ServiceError } from '../../errors'
import type { AiConfig } from '../settings'
import type { AiProvider } from '../types'

export interface ProviderOptions {
  /** The bytes of a stored video, for providers that look at media (Gemini's Files API). */
  readMedia?: (storageKey: string) => Promise<Buffer>
  timeoutMs?: number
}

export function createProvider(config: AiConfig, _options: ProviderOptions = {}): AiProvider {
  throw new ServiceError(503, `The ${config.provider} provider is not available in this build yet; choose Local in Settings → AI.`)
}
