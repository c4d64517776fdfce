// The repeated workflow of bench/ai.ts: 10 analysed reference videos read by the AI, a strategy and a batch of 5
// scripts, through the real services and prompt templates against the loopback OpenAI fake (which counts tokens from
// what it is sent and returns); then one video's analysis changes and the whole workflow runs again.
import { randomUUID } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../server/generated/prisma/client'
import type { ServerConfig } from '../server/services/config/env'
import type { AiContext } from '../server/services/ai/generate'
import { saveAiSettings } from '../server/services/ai/settings'
import { createSecretBox } from '../server/services/security/secrets'
import { runReading } from '../server/services/library/reading'
import { runBatch } from '../server/services/scripts/scripts'
import { generateStrategy } from '../server/services/strategy/strategies'
import { aiSettingsInput } from '#shared/ai'
import { answerLikeAModel } from '../test/support/fake-answers'
import type { FakeOpenAi } from '../test/support/fake-openai'

const env: ServerConfig['ai'] = { provider: 'local', openai: { apiKey: undefined, baseUrl: undefined }, geminiApiKey: undefined, grokApiKey: undefined }
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString('base64')
const SECRETS = createSecretBox([ENCRYPTION_KEY])

function measured(index: number, firstCut: number) {
  const duration = 18 + index
  const cuts = [firstCut, firstCut + 2.1, firstCut + 4.4, firstCut + 7.9, duration - 3]
  const shots = [0, ...cuts].map((start, shot, all) => ({ index: shot, start, end: all[shot + 1] ?? duration }))
  const features = {
    durationSeconds: duration, durationBucket: '15-30s', aspectRatio: 0.5625, aspectClass: 'vertical', hasAudio: true,
    cutCount: cuts.length, shotCount: shots.length, cutsPerMinute: (cuts.length / duration) * 60, medianShotSeconds: 2.3,
    firstCutSeconds: firstCut, hookCutCount: firstCut < 3 ? 1 : 0, hookCutsPerSecond: firstCut < 3 ? 0.33 : 0,
    integratedLufs: -14.2, loudnessRangeLu: 5.1, truePeakDbtp: -1.3, hookLoudnessDeltaLu: 1.2, silenceRatio: 0.08,
    silenceCount: 2, longestSilenceSeconds: 0.7, meanMotion: 4.1, hookMotionRatio: 1.4, blackRatio: 0,
  }
  return { features, segments: { cuts: cuts.map(time => ({ time, kind: 'cut' })), shots, silences: [{ start: 5, end: 5.6 }, { start: 12, end: 12.7 }] } }
}

export async function runWorkflow(url: string, fake: FakeOpenAi) {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) })
  try {
    const run = randomUUID().slice(0, 8)
    const userId = (await db.user.create({ data: { email: `flow-${run}@ai.test`, name: 'Flow' } })).id
    const workspaceId = (await db.workspace.create({ data: { name: 'Flow', slug: `bench-flow-${run}` } })).id
    await db.brandProfile.create({ data: { workspaceId, name: 'Knife Club', niche: 'home cooking', audience: 'busy parents', voice: 'warm, direct', pillars: ['Knife skills', 'Quick dinners'], platforms: ['tiktok'], cadence: '5 reels a week' } })
    await saveAiSettings(db, workspaceId, aiSettingsInput.parse({ provider: 'openai', model: 'gpt-5-mini', baseUrl: fake.url, apiKey: 'sk-bench-flow-000000' }), userId, env, SECRETS)
    const fast = await db.pattern.create({ data: { workspaceId, key: 'hook.first_cut<=1s', kind: 'hook', label: 'First cut within 1 s' } })
    const slow = await db.pattern.create({ data: { workspaceId, key: 'hook.first_cut>3s', kind: 'hook', label: 'No cut in the first 3 s' } })
    const videoIds: string[] = []
    for (let index = 0; index < 10; index++) {
      const firstCut = index % 2 ? 0.8 : 3.4
      const video = await db.video.create({ data: { workspaceId, kind: 'reference', status: 'ready', title: `Reference ${index + 1}`, durationMs: (18 + index) * 1000, sizeBytes: 1000n } })
      const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: video.id, status: 'succeeded', ...measured(index, firstCut) } })
      await db.patternEvidence.create({ data: { workspaceId, patternId: firstCut < 1 ? fast.id : slow.id, source: 'analysis', videoId: video.id, analysisId: analysis.id, value: { firstCutSeconds: firstCut } } })
      await db.referencePerformance.create({ data: { workspaceId, videoId: video.id, platform: 'tiktok', views: BigInt(5000 + index * 3000), followers: 10_000n, postedAt: new Date(Date.now() - 40 * 86_400_000) } })
      videoIds.push(video.id)
    }
    answerLikeAModel(fake, fast.key)
    const context: AiContext = { db, ai: env, secrets: SECRETS }
    const workflow = async () => {
      const since = new Date()
      for (const videoId of videoIds) await runReading(context, { workspaceId, videoId, userId })
      await generateStrategy(context, { workspaceId, userId, useLocal: false })
      await runBatch(context, { workspaceId, userId, batchId: randomUUID(), count: 5, local: false })
      const calls = await db.aiCall.findMany({ where: { workspaceId, createdAt: { gte: since } }, select: { inputTokens: true, outputTokens: true, cacheHit: true } })
      return { tokens: calls.reduce((sum, call) => sum + call.inputTokens + call.outputTokens, 0), calls: calls.filter(call => !call.cacheHit).length }
    }
    const first = await workflow()
    // One video is edited and analysed again: its measurements change (a faster first cut).
    const changed = await db.videoAnalysis.create({ data: { workspaceId, videoId: videoIds[4]!, status: 'succeeded', ...measured(4, 0.6) } })
    // As the analysis would, it moves from the slow-open bucket to the fast one, so the pattern figures change too.
    await db.patternEvidence.deleteMany({ where: { workspaceId, videoId: videoIds[4]!, source: 'analysis' } })
    await db.patternEvidence.create({ data: { workspaceId, patternId: fast.id, source: 'analysis', videoId: videoIds[4]!, analysisId: changed.id, value: { firstCutSeconds: 0.6 } } })
    const second = await workflow()
    fake.respondWith('responses', undefined)
    return { firstTokens: first.tokens, secondTokens: second.tokens, calls: { first: first.calls, second: second.calls } }
  }
  finally {
    await db.$disconnect()
  }
}
