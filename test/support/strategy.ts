// A small library for strategy tests: a brand profile, six analysed reference videos (five with public numbers) and
// one deleted video, filed under three patterns; and the evidence computed here, independently of the app's code.
import { randomUUID } from 'node:crypto'
import type { PrismaClient } from '../../server/generated/prisma/client'

export const strategyPatterns = [
  { key: 'hook.first_cut<=1s', kind: 'hook', label: 'First cut within 1 s' },
  { key: 'hook.first_cut>3s', kind: 'hook', label: 'No cut in the first 3 s' },
  { key: 'duration=15-30s', kind: 'duration', label: 'Length 15-30s' },
] as const

const library = [
  { title: 'Onion in one minute', patterns: ['hook.first_cut<=1s', 'duration=15-30s'], views: 50_000, followers: 10_000 },
  { title: 'Garlic press myths', patterns: ['hook.first_cut<=1s'], views: 30_000, followers: 10_000 },
  { title: 'Tomato slicing', patterns: ['hook.first_cut<=1s', 'duration=15-30s'], views: 8_000, followers: 4_000 },
  { title: 'Bread knife basics', patterns: ['hook.first_cut>3s', 'duration=15-30s'], views: 4_000, followers: 8_000 },
  { title: 'Sharpening stones', patterns: ['hook.first_cut>3s'], views: 1_000, followers: 1_000 },
  { title: 'Pan sauce', patterns: ['hook.first_cut>3s'], views: null, followers: null },
  // Deleted: its huge numbers must count nowhere.
  { title: 'Deleted onion video', patterns: ['hook.first_cut<=1s'], views: 1_000_000, followers: 10, deleted: true },
]

export async function seedStrategyLibrary(db: PrismaClient, workspaceId: string): Promise<Map<string, string>> {
  await db.brandProfile.create({
    data: { workspaceId, name: 'Knife Club', niche: 'home cooking', audience: 'busy parents', voice: 'warm, direct', pillars: ['Knife skills', 'Quick dinners'], platforms: ['instagram', 'tiktok'], cadence: '5 reels a week', defaultCta: 'Follow for a recipe a day', goals: [{ metric: 'followers', target: '10k', by: '' }] },
  })
  const patternIds = new Map<string, string>()
  for (const pattern of strategyPatterns) {
    patternIds.set(pattern.key, (await db.pattern.create({ data: { workspaceId, key: pattern.key, kind: pattern.kind, label: pattern.label } })).id)
  }
  const videoIds = new Map<string, string>()
  for (const entry of library) {
    const video = await db.video.create({
      data: { workspaceId, kind: 'reference', status: 'ready', title: entry.title, storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4`, sizeBytes: 1000n, durationMs: 20_000, deletedAt: entry.deleted ? new Date() : null },
    })
    videoIds.set(entry.title, video.id)
    for (const key of entry.patterns) {
      await db.patternEvidence.create({ data: { workspaceId, patternId: patternIds.get(key)!, source: 'analysis', videoId: video.id, value: {} } })
    }
    if (entry.views !== null) {
      await db.referencePerformance.create({ data: { workspaceId, videoId: video.id, platform: 'instagram', views: BigInt(entry.views), followers: BigInt(entry.followers!), likes: 10n } })
    }
  }
  return videoIds
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const mean = (values: number[]) => values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null

export interface ExpectedEvidence { label: string, videoCount: number, n: { with: number, without: number }, with: number | null, without: number | null, weak: boolean, titles: string[] }

/**
 * Each pattern's evidence, computed here from the rows: live videos with it, and the mean reference score with it and
 * without, the score being ln((views + 1) / followers) less the median of the same platform's references (the seeded
 * numbers have no posting date, so no age adjustment applies).
 */
export async function expectedEvidence(db: PrismaClient, workspaceId: string): Promise<Map<string, ExpectedEvidence>> {
  const patterns = await db.pattern.findMany({ where: { workspaceId }, include: { evidence: { include: { video: true } } } })
  const numbers = (await db.referencePerformance.findMany({ where: { workspaceId }, include: { video: true } }))
    .filter(row => !row.video.deletedAt && row.video.kind === 'reference' && row.views !== null && row.followers !== null && row.followers > 0n)
  if (numbers.some(row => row.postedAt)) throw new Error('expectedEvidence knows no age adjustment: seed numbers without a posting date')
  const raw = new Map(numbers.map(row => [row.videoId, Math.log((Number(row.views) + 1) / Number(row.followers))]))
  const platformMedian = new Map([...new Set(numbers.map(row => row.platform))].map(platform => [platform, median(numbers.filter(row => row.platform === platform).map(row => raw.get(row.videoId)!))]))
  const score = new Map(numbers.map(row => [row.videoId, raw.get(row.videoId)! - platformMedian.get(row.platform)!]))
  const live = (pattern: typeof patterns[number]) => pattern.evidence.filter(evidence => evidence.video && !evidence.video.deletedAt).map(evidence => evidence.video!)
  const analysed = new Set(patterns.flatMap(pattern => live(pattern).map(video => video.id)))
  return new Map(patterns.map((pattern) => {
    const videos = live(pattern)
    const ids = new Set(videos.map(video => video.id))
    const withScores = [...ids].filter(id => score.has(id)).map(id => score.get(id)!)
    const withoutScores = [...analysed].filter(id => !ids.has(id) && score.has(id)).map(id => score.get(id)!)
    return [pattern.key, {
      label: pattern.label,
      videoCount: ids.size,
      n: { with: withScores.length, without: withoutScores.length },
      with: mean(withScores),
      without: mean(withoutScores),
      weak: withScores.length < 3 || withoutScores.length < 3,
      titles: videos.map(video => video.title).sort(),
    }]
  }))
}

/** Waits for a job to finish (its JobRun row), for up to a minute. */
export async function waitForJob(db: PrismaClient, jobId: string, timeoutMs = 60_000): Promise<{ state: string, error: string | null }> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const run = await db.jobRun.findUnique({ where: { id: jobId }, select: { state: true, error: true } })
    if (run && ['succeeded', 'failed', 'canceled'].includes(run.state)) return run
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`)
}
