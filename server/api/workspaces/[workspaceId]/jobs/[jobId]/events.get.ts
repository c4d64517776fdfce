import { z } from 'zod'
import { uuidParam } from '../../../../../../shared/auth'
import { roleAllows } from '../../../../../../shared/permissions'
import { publicPart } from '../../../../../services/media/failure'

const finished = new Set(['succeeded', 'failed', 'canceled'])

// Server-sent events with a job's stage, percent and outcome, for any member of its workspace.
// It reads JobRun twice a second and sends only changes; the stream ends when the job does.
export default defineEventHandler(async (event) => {
  const { workspaceId, role } = await requireMember(event, 'workspace.read')
  // Paths and ffmpeg's log in a job's error are for those who manage jobs.
  const seesDetail = roleAllows(role, 'jobs.manage')
  const { jobId } = await getValidatedRouterParams(event, z.object({ jobId: uuidParam }).parse)
  const read = () => useDb().jobRun.findFirst({
    where: { id: jobId, workspaceId },
    select: { id: true, queue: true, state: true, stage: true, percent: true, attempts: true, error: true, updatedAt: true },
  })
  const first = await read()
  if (!first) throw createError({ status: 404, statusText: 'The job was not found.' })

  const stream = createEventStream(event)
  let last = ''
  let open = true
  const push = async (run: NonNullable<Awaited<ReturnType<typeof read>>>) => {
    const data = JSON.stringify({ ...run, error: seesDetail ? run.error : publicPart(run.error), updatedAt: undefined })
    if (data !== last) {
      last = data
      await stream.push({ event: 'progress', data })
    }
    if (finished.has(run.state)) {
      open = false
      await stream.close()
    }
  }
  const timer = setInterval(async () => {
    const run = open ? await read().catch(() => undefined) : undefined
    if (run) await push(run)
  }, 500)
  stream.onClosed(() => {
    open = false
    clearInterval(timer)
  })
  setImmediate(() => push(first))
  return stream.send()
})
