import type { JobLine } from './jobs'
import type { RenderStatus } from './studio'

// Home: the creator's next step, computed from what the workspace really holds, then what happened lately.

export type HomeStepKey = 'references' | 'footage' | 'render' | 'accounts'

export interface HomeStep {
  key: HomeStepKey
  done: boolean
  /** False for a step whose feature is not built yet: it is shown, plainly marked, and never counted. */
  built: boolean
  /** How many of the thing there are (videos, finished renders). */
  count: number
}

export interface HomeRender {
  id: string
  videoId: string
  videoTitle: string
  variantLabel: string
  status: RenderStatus
  thumbnailUrl: string | null
  durationMs: number | null
  createdAt: string
}

export interface HomeOverview {
  steps: HomeStep[]
  recentRenders: HomeRender[]
  /** The latest jobs, named; failures are told without their detail (that is on the Jobs page, for admins). */
  recentJobs: JobLine[]
}
