// Starting recipes for the Studio: the built-in ones, and ones made from the pattern buckets the Library measured
// on the workspace's reference videos (server/services/media/analysis/features.ts, matchPatterns). A bucket counts
// when at least half of the analysed reference videos fall in it; each one it uses is named in the description.
import type { PrismaClient } from '../../generated/prisma/client'
import type { EditRecipeInput, SilenceRemoval } from '#shared/recipe'
import type { StudioPreset } from '#shared/studio'
import { builtInPresets, hookPlaceholder } from '#shared/studio-presets'
import { notFound } from '../errors'

/** How many of the reference videos fall in one bucket. */
export interface PatternShare {
  key: string
  label: string
  videos: number
}

export interface PatternBasis {
  /** Analysed reference videos the shares are out of. */
  total: number
  patterns: PatternShare[]
}

const STRONG_SHARE = 0.5
const captionsToType = 'Type your caption lines (or import an SRT file) before rendering: captions need timed text.'

const silenceSettings = {
  veryTight: { thresholdDb: -30, marginSeconds: 0.08, minSilenceSeconds: 0.25 },
  tight: { thresholdDb: -30, marginSeconds: 0.1, minSilenceSeconds: 0.3 },
  standard: { thresholdDb: -30, marginSeconds: 0.2, minSilenceSeconds: 0.5 },
  gentle: { thresholdDb: -32, marginSeconds: 0.3, minSilenceSeconds: 0.8 },
} satisfies Record<string, SilenceRemoval>

// Which way each bucket pushes the jump cuts: towards tight (fast references) or gentle (slow ones).
const pace: Record<string, 'tight' | 'gentle'> = {
  'hook.first_cut<=1s': 'tight',
  'hook.cuts_3s>=2': 'tight',
  'pacing.cuts_per_min=20-40': 'tight',
  'pacing.cuts_per_min=40+': 'tight',
  'pacing.median_shot<=1.5s': 'tight',
  'audio.silence<5%': 'tight',
  'pacing.cuts_per_min=<10': 'gentle',
  'pacing.median_shot=3-6s': 'gentle',
  'pacing.median_shot>6s': 'gentle',
  'audio.silence>=15%': 'gentle',
}

const hookSeconds: Record<string, number> = { 'hook.first_cut<=1s': 1.5, 'hook.first_cut=1-3s': 2.5, 'hook.first_cut>3s': 3 }
const loudnessTargets: Record<string, number> = { 'audio.loudness=loud': -14, 'audio.loudness=moderate': -18, 'audio.loudness=quiet': -20 }
const lengthLimits: Record<string, number | null> = { 'duration=<15s': 15, 'duration=15-30s': 30, 'duration=30-60s': 60, 'duration=60-90s': 90, 'duration=90s+': null }
const aspectsOf: Record<string, '9:16' | '1:1' | '16:9'> = { 'format.aspect=9:16': '9:16', 'format.aspect=1:1': '1:1', 'format.aspect=16:9': '16:9' }

/** The most common bucket of one family (the keys starting with `prefix`), when it is strong enough. */
function dominant(basis: PatternBasis, prefix: string): PatternShare | undefined {
  const family = basis.patterns.filter(pattern => pattern.key.startsWith(prefix))
  const best = family.reduce<PatternShare | undefined>((top, pattern) => !top || pattern.videos > top.videos ? pattern : top, undefined)
  return best && best.videos / basis.total >= STRONG_SHARE ? best : undefined
}

/** Turns the strong buckets of some reference videos into recipe settings; undefined when none is strong. Pure. */
export function presetFromPatterns(basis: PatternBasis, identity: { key: string, name: string, intro: string }): StudioPreset | undefined {
  if (basis.total === 0) return undefined
  const share = (pattern: PatternShare) => `${pattern.label} (${pattern.videos} of ${basis.total})`
  const used: PatternShare[] = []
  const reasons: string[] = []
  const recipe: EditRecipeInput = { loudness: { targetLufs: -14, truePeakDb: -1, rangeLu: 11 } }

  const firstCut = dominant(basis, 'hook.first_cut')
  if (firstCut) {
    const seconds = hookSeconds[firstCut.key]!
    recipe.hook = { text: hookPlaceholder, seconds, position: 'top' }
    used.push(firstCut)
    reasons.push(`${share(firstCut)} → your hook line over the first ${seconds} s`)
  }

  // Jump cuts follow the pacing buckets' majority vote.
  const pacing = ['hook.first_cut', 'hook.cuts_3s', 'pacing.cuts_per_min', 'pacing.median_shot', 'audio.silence']
    .map(prefix => dominant(basis, prefix))
    .filter((pattern): pattern is PatternShare => pattern !== undefined && pattern.key in pace)
  const tight = pacing.filter(pattern => pace[pattern.key] === 'tight')
  const gentle = pacing.filter(pattern => pace[pattern.key] === 'gentle')
  if (pacing.length > 0) {
    const level = tight.length > gentle.length
      ? (tight.some(pattern => pattern.key === 'pacing.cuts_per_min=40+') ? 'veryTight' : 'tight')
      : gentle.length > tight.length ? 'gentle' : 'standard'
    const settings = silenceSettings[level]
    recipe.silence = settings
    const deciding = level === 'gentle' ? gentle : level === 'standard' ? pacing : tight
    for (const pattern of deciding) if (!used.includes(pattern)) used.push(pattern)
    const words = { veryTight: 'very tight', tight: 'tight', standard: 'standard', gentle: 'gentle' }[level]
    reasons.push(`${deciding.map(share).join(', ')} → ${words} jump cuts (pauses over ${settings.minSilenceSeconds} s go, ${settings.marginSeconds} s of sound kept around each cut)`)
    recipe.captions = { style: level === 'veryTight' || level === 'tight' ? 'highlight' : 'bold', position: 'bottom', cues: [] }
  }
  else {
    recipe.captions = { style: 'bold', position: 'bottom', cues: [] }
  }

  const loudness = dominant(basis, 'audio.loudness')
  if (loudness) {
    const target = loudnessTargets[loudness.key]!
    recipe.loudness = { targetLufs: target, truePeakDb: -1, rangeLu: 11 }
    used.push(loudness)
    reasons.push(`${share(loudness)} → loudness normalised to ${target} LUFS`)
  }

  const aspect = dominant(basis, 'format.aspect')
  const frame = aspect ? aspectsOf[aspect.key] : undefined
  if (aspect && frame) {
    recipe.reframe = { mode: 'crop', aspect: frame, centerX: 0.5 }
    recipe.platform = frame === '9:16' ? 'instagram' : null
    used.push(aspect)
    reasons.push(`${share(aspect)} → cropped to ${frame}`)
  }
  else {
    recipe.reframe = { mode: 'crop', aspect: '9:16', centerX: 0.5 }
  }

  const length = dominant(basis, 'duration=')
  if (length && lengthLimits[length.key] !== undefined) {
    const limit = lengthLimits[length.key]!
    recipe.maxSeconds = limit
    used.push(length)
    reasons.push(`${share(length)} → ${limit === null ? 'no length limit' : `at most ${limit} s of footage`}`)
  }

  if (used.length === 0) return undefined
  return {
    key: identity.key,
    name: identity.name,
    description: `${identity.intro} ${reasons.join('; ')}. ${captionsToType}`,
    source: 'patterns',
    patternKeys: used.map(pattern => pattern.key),
    recipe,
  }
}

function basisOf(rows: { videoId: string, key: string, label: string }[], videoIds: Set<string>): PatternBasis {
  const byKey = new Map<string, PatternShare & { seen: Set<string> }>()
  for (const row of rows) {
    if (!videoIds.has(row.videoId)) continue
    const entry = byKey.get(row.key) ?? { key: row.key, label: row.label, videos: 0, seen: new Set<string>() }
    if (!entry.seen.has(row.videoId)) {
      entry.seen.add(row.videoId)
      entry.videos++
    }
    byKey.set(row.key, entry)
  }
  return { total: videoIds.size, patterns: [...byKey.values()].map(({ key, label, videos }) => ({ key, label, videos })) }
}

const PER_VIDEO_PRESETS = 3

/** Made from the workspace's analysed reference videos: one from all of them, and one per recent video. */
export async function patternPresets(db: PrismaClient, workspaceId: string): Promise<StudioPreset[]> {
  const evidence = await db.patternEvidence.findMany({
    where: { workspaceId, source: 'analysis', videoId: { not: null }, video: { is: { workspaceId, kind: 'reference', deletedAt: null } } },
    select: { videoId: true, pattern: { select: { key: true, label: true } }, video: { select: { title: true, createdAt: true } } },
    take: 10_000,
  })
  const rows = evidence.map(item => ({ videoId: item.videoId!, key: item.pattern.key, label: item.pattern.label }))
  const videos = new Map(evidence.map(item => [item.videoId!, item.video!]))
  if (videos.size === 0) return []
  const presets: StudioPreset[] = []
  const all = presetFromPatterns(basisOf(rows, new Set(videos.keys())), {
    key: 'patterns-references',
    name: 'Like your reference videos',
    intro: `Made from the patterns of ${videos.size} analysed reference video${videos.size === 1 ? '' : 's'} in the Library:`,
  })
  if (all) presets.push(all)
  if (videos.size >= 2) {
    const recent = [...videos.entries()].sort((a, b) => b[1].createdAt.getTime() - a[1].createdAt.getTime()).slice(0, PER_VIDEO_PRESETS)
    for (const [videoId, video] of recent) {
      const preset = presetFromPatterns(basisOf(rows, new Set([videoId])), {
        key: `patterns-video-${videoId}`,
        name: `Like “${video.title}”`,
        intro: `Made from the patterns measured on the reference video “${video.title}”:`,
      })
      if (preset) presets.push(preset)
    }
  }
  return presets
}

/** The presets for one workspace, adapted to the footage when one is named. */
export async function listPresets(db: PrismaClient, workspaceId: string, filter: { videoId?: string } = {}): Promise<StudioPreset[]> {
  const footage = filter.videoId
    ? await db.video.findFirst({ where: { id: filter.videoId, workspaceId, deletedAt: null }, select: { audioCodec: true, status: true } })
    : undefined
  if (filter.videoId && !footage) throw notFound('This video')
  const presets = [...builtInPresets.map(preset => structuredClone(preset)), ...await patternPresets(db, workspaceId)]
  // Silence removal listens to the sound; footage without any has nothing to cut on.
  if (footage && footage.status !== 'uploading' && footage.audioCodec === null) {
    for (const preset of presets) {
      if (!preset.recipe.silence) continue
      preset.recipe.silence = null
      preset.description += ' This footage has no sound, so silence removal is off.'
    }
  }
  return presets
}
