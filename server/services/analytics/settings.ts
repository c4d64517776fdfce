// The workspace's learning settings: what a post's outcome measures, at which age, and how much the suggestions explore.
// A new metric or horizon changes every outcome, so the outcomes, links and pattern sums are rebuilt at once (in the
// request: a workspace's posts are hundreds, and the page shows the new numbers on its next read).
import type { PrismaClient } from '../../generated/prisma/client'
import type { LearningSettings, LearningSettingsPatch } from '#shared/analytics'
import { recordAudit } from '../audit'
import { rebuildLearning } from './learning'
import { settingsOfRow } from './view'

const select = { outcomeMetric: true, outcomeHorizonHours: true, exploration: true } as const

export async function updateLearningSettings(db: PrismaClient, workspaceId: string, actorId: string, patch: LearningSettingsPatch): Promise<LearningSettings & { rebuilt: boolean }> {
  const before = settingsOfRow(await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select }))
  const changed = Object.fromEntries(Object.entries(patch).filter(([key, value]) => value !== undefined && before[key as keyof LearningSettings] !== value))
  if (!Object.keys(changed).length) return { ...before, rebuilt: false }
  const after = settingsOfRow(await db.workspace.update({ where: { id: workspaceId }, data: changed, select }))
  const rebuild = 'outcomeMetric' in changed || 'outcomeHorizonHours' in changed
  if (rebuild) await rebuildLearning(db, workspaceId)
  await recordAudit(db, { action: 'workspace.updated', workspaceId, actorId, targetType: 'workspace', targetId: workspaceId, metadata: changed })
  return { ...after, rebuilt: rebuild }
}
