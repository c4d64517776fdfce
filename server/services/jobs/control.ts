import type { PrismaClient } from '../../generated/prisma/client'
import { conflict, notFound } from '../errors'
import type { JobEngine } from './engine'
import type { QueueDefinition } from './registry'

// Retry and cancel from the Jobs page and the CLI. `workspaceId` scopes the lookup; undefined means any job (the CLI).
async function findRun(db: PrismaClient, jobId: string, workspaceId: string | undefined) {
  const run = await db.jobRun.findFirst({ where: { id: jobId, ...(workspaceId ? { workspaceId } : {}) } })
  if (!run) throw notFound('The job')
  return run
}

export async function retryJob(db: PrismaClient, engine: JobEngine, jobId: string, workspaceId?: string) {
  const run = await findRun(db, jobId, workspaceId)
  if (run.state !== 'failed' && run.state !== 'canceled') throw conflict(`Only failed or canceled jobs can be retried; this one is ${run.state}.`)
  await engine.boss.retry(run.queue, jobId)
  await db.jobRun.update({ where: { id: jobId }, data: { state: 'queued', error: null, finishedAt: null, stage: null, percent: 0 } })
  return { id: jobId, state: 'queued' as const }
}

export async function cancelJob(db: PrismaClient, engine: JobEngine, jobId: string, workspaceId?: string) {
  const run = await findRun(db, jobId, workspaceId)
  if (run.state !== 'queued' && run.state !== 'running') throw conflict(`Only waiting or running jobs can be canceled; this one is ${run.state}.`)
  await engine.boss.cancel(run.queue, jobId)
  await db.jobRun.update({ where: { id: jobId }, data: { state: 'canceled', finishedAt: new Date() } })
  return { id: jobId, state: 'canceled' as const }
}

/** What a person reads on a row whose job was given up on after its worker vanished. */
export const WORKER_VANISHED = 'The worker stopped responding and the retries ran out.'

/**
 * Jobs whose worker vanished and whose retries then ran out stay "running" in JobRun, because nobody was left
 * to say otherwise; so does the row they were working on (a Video analysing, a Render running). This reads
 * pg-boss's verdict for runs quiet for `quietMinutes`, records it, and lets each given-up job's queue settle its
 * domain row (`onFinalFailure` in the registry).
 */
export async function reconcileStuckRuns(db: PrismaClient, quietMinutes = 5, definitions: Record<string, QueueDefinition> = {}): Promise<number> {
  const quiet = await db.jobRun.findMany({
    where: { state: { in: ['queued', 'running'] }, updatedAt: { lt: new Date(Date.now() - quietMinutes * 60_000) } },
    select: { id: true },
    take: 500,
  })
  if (quiet.length === 0) return 0
  const verdicts = await db.$queryRaw<{ id: string, name: string, state: string, data: unknown, output: { message?: string, value?: { message?: string } } | null }[]>`
    SELECT id::text AS id, name, state::text AS state, data, output FROM pgboss.job WHERE id = ANY(${quiet.map(run => run.id)}::uuid[]) AND state IN ('failed', 'cancelled', 'completed')`
  const mapping = { failed: 'failed', cancelled: 'canceled', completed: 'succeeded' } as const
  for (const verdict of verdicts) {
    const state = mapping[verdict.state as keyof typeof mapping]
    await db.jobRun.update({
      where: { id: verdict.id },
      data: { state, finishedAt: new Date(), ...(state === 'failed' ? { error: WORKER_VANISHED } : {}) },
    })
    if (state !== 'failed') continue
    const settle = definitions[verdict.name]?.onFinalFailure
    // One row that cannot be settled must not keep the others running for ever; the next sweep tries it again.
    await settle?.(db, verdict.data, 'Its worker stopped responding (it may have run out of memory or been restarted) and the retries ran out.')
      .catch((error: Error) => console.error(`[jobs] could not settle ${verdict.name} ${verdict.id}: ${error.message}`))
  }
  return verdicts.length
}
