// Each platform's render constraints and output preset, one file per platform. A render is checked against
// them before it is offered for scheduling, and every violation is said in words a creator can act on.
import { aspectSizes, aspects, platforms } from '../recipe'
import type { Aspect, PlatformKey } from '../recipe'
import { facebook } from './facebook'
import { instagram } from './instagram'
import { tiktok } from './tiktok'
import type { PlatformProfile } from './types'
import { youtube } from './youtube'

export type { OutputPreset, PlatformProfile, RenderConstraints } from './types'

export const platformProfiles: Record<PlatformKey, PlatformProfile> = { instagram, tiktok, youtube, facebook }

/** What ffprobe says of a finished render. */
export interface RenderFacts {
  durationSeconds: number
  width: number
  height: number
  fps: number
  sizeBytes: number
  videoCodec: string
  audioSampleRate?: number
}

export interface PlatformCheck {
  platform: PlatformKey
  ok: boolean
  problems: string[]
}

/** The aspect a frame matches within 1 %, if any. */
export function aspectOf(width: number, height: number): Aspect | null {
  return aspects.find(aspect => Math.abs(width / height - aspectSizes[aspect].width / aspectSizes[aspect].height) < 0.01) ?? null
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits))

export function checkRender(platform: PlatformKey, facts: RenderFacts): PlatformCheck {
  const { constraints: limits, label } = platformProfiles[platform]
  const problems: string[] = []
  if (facts.durationSeconds < limits.minSeconds) problems.push(`${label} needs at least ${limits.minSeconds} s; this render is ${round(facts.durationSeconds)} s. Keep more of the footage or add an end card.`)
  if (facts.durationSeconds > limits.maxSeconds) problems.push(`${label} takes at most ${limits.maxSeconds} s; this render is ${round(facts.durationSeconds)} s. Render a shorter length variant.`)
  if (facts.fps < limits.minFps - 0.01 || facts.fps > limits.maxFps + 0.01) problems.push(`${label} takes ${limits.minFps}–${limits.maxFps} fps; this render is ${round(facts.fps, 2)} fps. Render it with the ${label} preset.`)
  const aspect = aspectOf(facts.width, facts.height)
  if (!aspect || !limits.aspects.includes(aspect)) problems.push(`${label} wants ${limits.aspects.join(' or ')}; this render is ${facts.width}×${facts.height}. Reframe it to ${limits.aspects[0]}.`)
  if (facts.width < limits.minWidth || facts.height < limits.minHeight) problems.push(`${label} needs at least ${limits.minWidth}×${limits.minHeight}; this render is ${facts.width}×${facts.height}.`)
  if (limits.maxBytes && facts.sizeBytes > limits.maxBytes) problems.push(`${label} takes files up to ${round(limits.maxBytes / 1024 ** 3)} GB; this one is ${round(facts.sizeBytes / 1024 ** 3, 2)} GB.`)
  if (!limits.videoCodecs.includes(facts.videoCodec)) problems.push(`${label} does not take ${facts.videoCodec} video; render it again (the Studio encodes H.264).`)
  if (facts.audioSampleRate && facts.audioSampleRate > limits.maxAudioSampleRate) problems.push(`${label} takes audio up to ${limits.maxAudioSampleRate / 1000} kHz; this render has ${facts.audioSampleRate / 1000} kHz.`)
  return { platform, ok: problems.length === 0, problems }
}

/** The render checked against every platform, for the Render row and the scheduler. */
export function checkRenderEverywhere(facts: RenderFacts): PlatformCheck[] {
  return platforms.map(platform => checkRender(platform, facts))
}
