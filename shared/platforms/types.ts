import type { Aspect, PlatformKey } from '../recipe'

/** What a platform accepts for a short vertical video, as its docs state it (see ../shared/PLATFORMS.md). */
export interface RenderConstraints {
  minSeconds: number
  maxSeconds: number
  minFps: number
  maxFps: number
  /** Aspects it takes; the first is the one it shows best. */
  aspects: Aspect[]
  minWidth: number
  minHeight: number
  maxBytes?: number
  videoCodecs: string[]
  maxAudioSampleRate: number
}

/** How the Studio encodes for it: H.264 High, yuv420p, closed GOP, AAC 48 kHz, +faststart, with these caps. */
export interface OutputPreset {
  /** Frames per second never above this (nor below the platform's minimum). */
  fpsCap: number
  /** Peak video bitrate (VBV) in kbit/s. */
  maxBitrateKbps: number
  audioBitrateKbps: number
  /** Always the aspect's standard frame (1080×1920), even when that enlarges the footage. */
  standardFrame: boolean
}

/** What the platform takes as text with a post. */
export interface CaptionRules {
  maxChars: number
  maxHashtags?: number
  maxMentions?: number
  /** YouTube: a title apart from the description. */
  title?: { maxChars: number }
  /** YouTube: tags, counted together. */
  tags?: { maxTotalChars: number }
}

export interface PlatformProfile {
  key: PlatformKey
  /** The format we post there. */
  label: string
  constraints: RenderConstraints
  preset: OutputPreset
  caption: CaptionRules
  /** Where a figure comes from when it is not the platform's own doc. */
  notes?: string
}
