import type { PrismaClient } from '../../generated/prisma/client'
import type { JobTracker } from './engine'

/** Records each job's stage, percent and outcome in JobRun, which the progress stream and the Jobs page read. */
export function prismaJobTracker(db: PrismaClient): JobTracker {
  return {
    async queued(id, queue, workspaceId) {
      // One INSERT … ON CONFLICT DO NOTHING; an upsert that updates nothing is a transaction of four round trips.
      await db.jobRun.createMany({ data: [{ id, queue, workspaceId }], skipDuplicates: true })
    },
    async started(id, queue, attempt) {
      const now = new Date()
      await db.jobRun.upsert({
        where: { id },
        create: { id, queue, state: 'running', attempts: attempt, startedAt: now },
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

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled'

/** A workspace's jobs as people see them: counts by state and the latest runs, failures first. */
export async function summariseJobs(db: PrismaClient, workspaceId: string) {
  const [counts, recent] = await Promise.all([
    db.jobRun.groupBy({ by: ['state'], where: { workspaceId }, _count: { _all: true } }),
    db.jobRun.findMany({ where: { workspaceId }, orderBy: { createdAt: 'desc' }, take: 50 }),
  ])
  const byState = Object.fromEntries(['queued', 'running', 'succeeded', 'failed', 'canceled'].map(state => [state, 0])) as Record<JobState, number>
  for (const count of counts) byState[count.state as JobState] = count._count._all
  return { counts: byState, recent }
}
