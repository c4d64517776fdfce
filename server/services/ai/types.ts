// The AI layer's contracts. Every AI output in Reelwise goes through `generate()` (generate.ts) with a prompt
// template from `prompts/<purpose>.ts`; the template holds the output schema, the words sent to a model and the
// local provider's deterministic answer, so the three never drift apart.
import type { z } from 'zod'
import type { AiProviderName } from '#shared/ai'

/** What a call was for: the ledger and the Usage page group by it. */
export type AiPurpose = 'video.reading' | 'strategy.generate' | 'script.generate' | 'captions.transcribe' | 'connection.test'

export type { AiProviderName }

/** A video (or its audio) a provider that understands media may look at; the others read the measured features in the input. */
export interface AiMedia {
  /** Storage key of the file, read through the MediaStore. */
  storageKey: string
  mimeType: string
}

export interface PromptTemplate<Input, Output> {
  purpose: AiPurpose
  /** Bumped whenever the words, the schema or the local answer change: it is part of the cache key. */
  version: string
  /** The output, validated before anything is stored; also sent to the model as its JSON schema. */
  schema: z.ZodType<Output>
  /** The standing instructions (system / developer message). */
  instructions: string
  /** The request for this input, as the user message. */
  render: (input: Input) => string
  /** The local provider's answer: deterministic, from measured numbers and templates; it states nothing it did not measure. */
  local: (input: Input) => Output
}

export interface ProviderRequest {
  purpose: AiPurpose
  instructions: string
  prompt: string
  /** JSON schema of the output (from z.toJSONSchema, `$schema` stripped); its name for OpenAI's json_schema format. */
  jsonSchema: Record<string, unknown>
  schemaName: string
  /** Set on the bounded re-ask: the previous reply and why it did not validate. */
  repair?: { reply: string, problem: string }
  media?: AiMedia
  signal?: AbortSignal
}

export interface ProviderUsage {
  inputTokens: number
  outputTokens: number
  cachedTokens: number
}

export interface ProviderReply {
  /** The raw text the model returned (JSON expected); parsed and validated by generate(). */
  text: string
  usage: ProviderUsage
  /** The model that answered, as the provider names it. */
  model: string
}

export interface AiProvider {
  name: AiProviderName
  model: string
  complete: (request: ProviderRequest) => Promise<ProviderReply>
}

/** Who made an output, kept next to it and shown on every screen that shows it. */
export interface AiProvenance {
  provider: AiProviderName
  model: string
  promptVersion: string
  aiCallId: string
  cacheHit: boolean
  at: string
}

export interface GenerateRequest<Input, Output> {
  prompt: PromptTemplate<Input, Output>
  /** Plain JSON; normalised (keys sorted) for the cache key. */
  input: Input
  workspaceId: string
  userId?: string | null
  media?: AiMedia
  signal?: AbortSignal
  /** Use the local provider whatever the workspace chose (a fallback the person asked for). */
  forceLocal?: boolean
}

export interface GenerateResult<Output> {
  output: Output
  provenance: AiProvenance
}
