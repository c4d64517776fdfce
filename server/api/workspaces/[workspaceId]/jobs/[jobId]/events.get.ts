import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { JOB_STREAM_RECHECK_MS, JOB_STREAMS_PER_USER, mayStillWatch } from '../../../../../services/jobs/streams'
import { roleAllows } from '#shared/permissions'
import { publicPart } from '../../../../../services/media/failure'

const finished = new Set(['succeeded', 'failed', 'canceled'])

// Server-sent events with a job's stage, percent and outcome, for any member of its workspace.
// It reads JobRun twice a second and sends only changes; the stream ends when the job does. Bounded: a few streams
// per user (counted across web instances in Redis when REDIS_URL is set), closed when the viewer leaves the workspace
// or signs out, and ended after JOB_STREAM_MAX_SECONDS with a `retry` hint, so the browser's EventSource reconnects
// (and re-checks access) on its own.
export default defineEventHandler(async (event) => {
  const { workspaceId, user, role } = await requireMember(event, 'workspace.read')
  // Paths and ffmpeg's log in a job's error are for those who manage jobs.
  const seesDetail = roleAllows(role, 'jobs.manage')
  const { jobId } = await getValidatedRouterParams(event, z.object({ jobId: uuidParam }).parse)
  const read = () => useDb().jobRun.findFirst({
    where: { id: jobId, workspaceId },
    select: { id: true, queue: true, state: true, stage: true, percent: true, attempts: true, error: true, updatedAt: true },
  })
  const first = await read()
  if (!first) throw createError({ status: 404, statusText: 'The job was not found.' })
  const release = await useJobStreamSlots().claim(user.id)
  if (!release) {
    throw createError({ status: 429, statusText: `Too many live job views are open for your account (${JOB_STREAMS_PER_USER}). Close some tabs or windows, then reload this page.` })
  }
  // Gone while the slot was taken: no close event will come to give it back.
  if (event.node.req.destroyed) {
    release()
    return
  }

  const stream = createEventStream(event)
  const openedAt = Date.now()
  const maxMs = useServerConfig().jobStreams.maxSeconds * 1000
  let lastCheck = openedAt
  let last = ''
  let open = true
  const end = async (message?: { event: string, data: string, retry?: number }) => {
    if (!open) return
    open = false
    if (message) await stream.push(message).catch(() => {})
    await stream.close()
  }
  const push = async (run: NonNullable<Awaited<ReturnType<typeof read>>>) => {
    const data = JSON.stringify({ ...run, error: seesDetail ? run.error : publicPart(run.error), updatedAt: undefined })
    if (data !== last) {
      last = data
      await stream.push({ event: 'progress', data })
    }
    if (finished.has(run.state)) await end()
  }
  let busy = false
  const timer = setInterval(async () => {
    if (!open || busy) return
    busy = true
    try {
      const now = Date.now()
      if (now - openedAt >= maxMs) return await end({ event: 'reconnect', data: '{}', retry: 1000 })
      if (now - lastCheck >= JOB_STREAM_RECHECK_MS) {
        lastCheck = now
        const allowed = await mayStillWatch(useDb(), { userId: user.id, sessionId: user.sessionId, workspaceId }).catch(() => true)
        if (!allowed) return await end({ event: 'denied', data: JSON.stringify({ message: 'You no longer have access to this workspace.' }) })
      }
      const run = await read().catch(() => undefined)
      if (run && open) await push(run)
    }
    finally {
      busy = false
    }
  }, 500)
  // The process is stopping: the browser reconnects, to an instance that is not.
  const forget = endJobStreamAtShutdown(() => void end({ event: 'reconnect', data: '{}', retry: 1000 }))
  stream.onClosed(() => {
    open = false
    clearInterval(timer)
    forget()
    release()
  })
  setImmediate(() => push(first))
  return stream.send()
})
