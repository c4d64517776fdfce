import type { PrismaClient } from '../../generated/prisma/client'
import { jobStates, jobTitle, subjectKeys, type JobLine, type JobState, type JobsSummary, type JobSubject } from '#shared/jobs'
import type { JobTracker } from './engine'

/** The ids a job works on, from its payload: only these, so nothing else a payload holds reaches the Jobs page. */
function jobSubject(data: unknown): JobSubject | undefined {
  if (!data || typeof data !== 'object') return undefined
  const subject = Object.fromEntries(subjectKeys.flatMap(key => typeof (data as Record<string, unknown>)[key] === 'string' ? [[key, (data as Record<string, string>)[key]]] : []))
  return Object.keys(subject).length ? subject : undefined
}

/** Records each job's stage, percent and outcome in JobRun, which the progress stream and the Jobs page read. */
export function prismaJobTracker(db: PrismaClient): JobTracker {
  return {
    async queued(id, queue, workspaceId, data) {
      // One INSERT … ON CONFLICT DO NOTHING; an upsert that updates nothing is a transaction of four round trips.
      await db.jobRun.createMany({ data: [{ id, queue, workspaceId, subject: jobSubject(data) }], skipDuplicates: true })
    },
    async started(id, queue, attempt, data) {
      const now = new Date()
      const workspaceId = (data as { workspaceId?: unknown } | undefined)?.workspaceId
      await db.jobRun.upsert({
        where: { id },
        create: { id, queue, workspaceId: typeof workspaceId === 'string' ? workspaceId : undefined, subject: jobSubject(data), state: 'running', attempts: attempt, startedAt: now },
        update: { state: 'running', attempts: attempt, startedAt: now, finishedAt: null, error: null, stage: null, percent: 0 },
      })
    },
    async progress(id, stage, percent) {
      await db.jobRun.updateMany({ where: { id, state: 'running' }, data: { stage, percent } })
    },
    async finished(id, outcome) {
      const done = outcome.state !== 'queued'
      // A job canceled while it ran stays canceled, however its handler ended.
      await db.jobRun.updateMany({
        where: { id, state: { not: 'canceled' } },
        data: { state: outcome.state, error: outcome.error ?? null, finishedAt: done ? new Date() : null, ...(outcome.state === 'succeeded' ? { percent: 100 } : {}) },
      })
    },
  }
}

/** Keeps what a finished job reports (a summary line and its numbers) on its JobRun, for the Jobs page. */
export async function recordJobResult(db: PrismaClient, id: string, result: { summary: string }): Promise<void> {
  await db.jobRun.updateMany({ where: { id }, data: { result: JSON.parse(JSON.stringify(result)) } })
}

/** A workspace's jobs as people see them: counts by state and the latest runs, each named by its video and variant. */
export async function summariseJobs(db: PrismaClient, workspaceId: string, take = 50): Promise<JobsSummary> {
  const [counts, runs] = await Promise.all([
    db.jobRun.groupBy({ by: ['state'], where: { workspaceId }, _count: { _all: true } }),
    db.jobRun.findMany({ where: { workspaceId }, orderBy: { createdAt: 'desc' }, take }),
  ])
  const byState = Object.fromEntries(jobStates.map(state => [state, 0])) as Record<JobState, number>
  for (const count of counts) byState[count.state as JobState] = count._count._all
  return { counts: byState, recent: await describeRuns(db, workspaceId, runs) }
}

type RunRow = Awaited<ReturnType<PrismaClient['jobRun']['findMany']>>[number]

/** Names each run's video and variant: two queries for the whole page, both scoped to the workspace. */
export async function describeRuns(db: PrismaClient, workspaceId: string, runs: RunRow[]): Promise<JobLine[]> {
  const subjects = new Map(runs.map(run => [run.id, (run.subject ?? {}) as JobSubject]))
  const renderIds = [...subjects.values()].flatMap(subject => subject.renderId ? [subject.renderId] : [])
  // Runs recorded before subjects were kept are found through the render that names their job.
  const renders = await db.render.findMany({
    where: { workspaceId, OR: [{ id: { in: renderIds } }, { jobId: { in: runs.map(run => run.id) } }] },
    select: { id: true, jobId: true, sourceVideoId: true, variantLabel: true },
  })
  const renderFor = (run: RunRow) => renders.find(render => render.id === subjects.get(run.id)?.renderId) ?? renders.find(render => render.jobId === run.id)
  const videoIds = new Set([...subjects.values()].flatMap(subject => subject.videoId ? [subject.videoId] : []).concat(renders.map(render => render.sourceVideoId)))
  const videos = new Map((await db.video.findMany({ where: { workspaceId, id: { in: [...videoIds] } }, select: { id: true, title: true, deletedAt: true } }))
    .map(video => [video.id, video]))
  return runs.map((run) => {
    const render = renderFor(run)
    const videoId = subjects.get(run.id)?.videoId ?? render?.sourceVideoId ?? null
    const video = videoId ? videos.get(videoId) : undefined
    const gone = subjects.get(run.id)?.renderId && !render ? 'variant' : videoId && (!video || video.deletedAt) ? 'video' : undefined
    return {
      id: run.id,
      queue: run.queue,
      title: jobTitle(run.queue, { videoTitle: video?.title, variantLabel: render?.variantLabel, gone }),
      videoId: video && !video.deletedAt ? video.id : null,
      variantLabel: render?.variantLabel ?? null,
      state: run.state as JobState,
      stage: run.stage,
      percent: run.percent,
      attempts: run.attempts,
      durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
      error: run.error,
      result: (run.result as JobLine['result']) ?? null,
      createdAt: run.createdAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    }
  })
}
