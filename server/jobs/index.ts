import type { JobHandler } from '../services/jobs/engine'
import type { QueueName } from '../services/jobs/registry'

// Each handler's code, and the libraries only it uses (the statistics behind the pattern scores, the platforms' SDKs),
// loads with its queue's first job rather than at start: a web or worker process is up sooner, with less to load.
function lazy(load: () => Promise<{ default: JobHandler<never> }>): JobHandler<never> {
  return async (job, context) => (await load()).default(job, context)
}

// One handler per queue in server/services/jobs/registry.ts; the engine refuses to start with one missing.
export const handlers: Record<QueueName, JobHandler<never>> = {
  'accounts.refresh': lazy(() => import('./accounts.refresh')),
  'analytics.rebuild': lazy(() => import('./analytics.rebuild')),
  'ai.reading': lazy(() => import('./ai.reading')),
  'ai.scripts': lazy(() => import('./ai.scripts')),
  'ai.strategy': lazy(() => import('./ai.strategy')),
  'ai.transcribe': lazy(() => import('./ai.transcribe')),
  'maintenance.cleanup': lazy(() => import('./maintenance.cleanup')),
  'jobs.reconcile': lazy(() => import('./jobs.reconcile')),
  'media.analyse': lazy(() => import('./media.analyse')),
  'media.render': lazy(() => import('./media.render')),
  'metrics.followers': lazy(() => import('./metrics.followers')),
  'metrics.pull': lazy(() => import('./metrics.pull')),
  'metrics.sweep': lazy(() => import('./metrics.sweep')),
  'posts.check': lazy(() => import('./posts.check')),
  'posts.publish': lazy(() => import('./posts.publish')),
  'posts.sweep': lazy(() => import('./posts.sweep')),
  'storage.sweep': lazy(() => import('./storage.sweep')),
  'secrets.rotate': lazy(() => import('./secrets.rotate')),
}
