import type { HomeOverview } from '#shared/home'
import type { RenderStatus } from '#shared/studio'
import type { PrismaClient } from '../../generated/prisma/client'
import { describeRuns } from '../jobs/tracker'
import type { MediaStore } from '../media/storage/types'

// Videos whose bytes arrived count as uploaded, whether or not the analysis has finished.
const storedStatuses = ['uploaded', 'analysing', 'ready'] as const
const RECENT = 5

/** The checklist, the latest renders and the latest jobs of one workspace: a handful of small queries. */
export async function homeOverview(deps: { db: PrismaClient, store: MediaStore }, workspaceId: string): Promise<HomeOverview> {
  const { db, store } = deps
  const [kinds, finishedRenders, renders, runs] = await Promise.all([
    db.video.groupBy({ by: ['kind'], where: { workspaceId, deletedAt: null, status: { in: [...storedStatuses] } }, _count: { _all: true } }),
    db.render.count({ where: { workspaceId, status: 'succeeded' } }),
    db.render.findMany({
      where: { workspaceId, sourceVideo: { deletedAt: null } },
      orderBy: [{ createdAt: 'desc' }, { variantLabel: 'asc' }],
      take: RECENT,
      select: { id: true, sourceVideoId: true, variantLabel: true, status: true, thumbnailKey: true, durationMs: true, createdAt: true, sourceVideo: { select: { title: true } } },
    }),
    db.jobRun.findMany({ where: { workspaceId }, orderBy: { createdAt: 'desc' }, take: RECENT }),
  ])
  const count = (kind: string) => kinds.find(group => group.kind === kind)?._count._all ?? 0
  return {
    steps: [
      { key: 'references', done: count('reference') > 0, built: true, count: count('reference') },
      { key: 'footage', done: count('footage') > 0, built: true, count: count('footage') },
      { key: 'render', done: finishedRenders > 0, built: true, count: finishedRenders },
      { key: 'accounts', done: false, built: false, count: 0 },
    ],
    recentRenders: await Promise.all(renders.map(async render => ({
      id: render.id,
      videoId: render.sourceVideoId,
      videoTitle: render.sourceVideo.title,
      variantLabel: render.variantLabel,
      status: render.status as RenderStatus,
      thumbnailUrl: render.thumbnailKey ? await store.signedUrl(render.thumbnailKey, { expiresInSeconds: 60 * 60 }) : null,
      durationMs: render.durationMs,
      createdAt: render.createdAt.toISOString(),
    }))),
    recentJobs: (await describeRuns(db, workspaceId, runs)).map(line => ({ ...line, error: null })),
  }
}
