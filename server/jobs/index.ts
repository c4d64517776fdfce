import type { JobHandler } from '../services/jobs/engine'
import type { QueueName } from '../services/jobs/registry'
import aiReading from './ai.reading'
import aiScripts from './ai.scripts'
import aiStrategy from './ai.strategy'
import accountsRefresh from './accounts.refresh'
import analyticsRebuild from './analytics.rebuild'
import aiTranscribe from './ai.transcribe'
import jobsReconcile from './jobs.reconcile'
import maintenanceCleanup from './maintenance.cleanup'
import mediaAnalyse from './media.analyse'
import mediaRender from './media.render'
import metricsFollowers from './metrics.followers'
import metricsPull from './metrics.pull'
import metricsSweep from './metrics.sweep'
import postsCheck from './posts.check'
import postsPublish from './posts.publish'
import postsSweep from './posts.sweep'
import secretsRotate from './secrets.rotate'
import storageSweep from './storage.sweep'

// One handler per queue in server/services/jobs/registry.ts; the engine refuses to start with one missing.
export const handlers: Record<QueueName, JobHandler<never>> = {
  'accounts.refresh': accountsRefresh,
  'analytics.rebuild': analyticsRebuild,
  'ai.reading': aiReading,
  'ai.scripts': aiScripts,
  'ai.strategy': aiStrategy,
  'ai.transcribe': aiTranscribe,
  'maintenance.cleanup': maintenanceCleanup,
  'jobs.reconcile': jobsReconcile,
  'media.analyse': mediaAnalyse,
  'media.render': mediaRender,
  'metrics.followers': metricsFollowers,
  'metrics.pull': metricsPull,
  'metrics.sweep': metricsSweep,
  'posts.check': postsCheck,
  'posts.publish': postsPublish,
  'posts.sweep': postsSweep,
  'storage.sweep': storageSweep,
  'secrets.rotate': secretsRotate,
}
