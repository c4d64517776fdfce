// Which patterns a published post shows: the links its outcome is folded into (PatternEvidence rows with source
// `metrics` and the post's id, one per pattern). Computed from our rows only:
//   - the video that went out: a render's Studio choices (hook overlay, caption style, length and frame of the render
//     itself, its opening moved to the start) and the patterns the edit was made to apply (the recipe's patternKeys);
//     a library video posted as it is brings its measured buckets (its analysis);
//   - what the source video is about, as an AI read it (semantic evidence): editing keeps the topic and the format;
//   - when it went out, in the workspace's time zone: the hour band and weekday or weekend (kind `timing`).
// A render's measured buckets are not its footage's (the edit changed the cuts and the length), so a render takes only
// the buckets it was made to apply and those of the render file itself.
import type { PatternKind, Prisma, PrismaClient } from '../../generated/prisma/client'
import type { RecipeSnapshot } from '#shared/studio'
import { captionStyleLabels, type CaptionStyle, type EditRecipe } from '#shared/recipe'
import { Temporal } from 'temporal-polyfill'
import { aspectClassOf, durationBucketOf } from '../media/analysis/features'

type Db = PrismaClient | Prisma.TransactionClient

export interface PatternLink {
  key: string
  kind: PatternKind
  label: string
  /** What put the post in the bucket, kept on the evidence row. */
  value: Record<string, unknown>
}

// Bands of the day as creators plan them; the night is one band (few posts go out then).
const HOUR_BANDS = [[0, 6], [6, 9], [9, 12], [12, 15], [15, 18], [18, 21], [21, 24]] as const
const pad = (hour: number) => String(hour).padStart(2, '0')

/** The timing buckets of a moment in `zone`: `post.hour=18-21` and `post.day=weekend`. */
export function timingLinks(publishedAt: Date, zone: string): PatternLink[] {
  const local = Temporal.Instant.fromEpochMilliseconds(publishedAt.getTime()).toZonedDateTimeISO(zone)
  const [from, to] = HOUR_BANDS.find(([start, end]) => local.hour >= start && local.hour < end)!
  const weekend = local.dayOfWeek >= 6
  return [
    { key: `post.hour=${from}-${to}`, kind: 'timing', label: `Posted ${pad(from)}:00–${pad(to % 24)}:00`, value: { hour: local.hour, zone } },
    { key: `post.day=${weekend ? 'weekend' : 'weekday'}`, kind: 'timing', label: weekend ? 'Posted at the weekend' : 'Posted on a weekday', value: { dayOfWeek: local.dayOfWeek, zone } },
  ]
}

/** The Studio choices a render was made with, and the buckets of the rendered file. */
export function renderLinks(recipe: EditRecipe, file: { durationMs: number | null, width: number | null, height: number | null }): PatternLink[] {
  const links: PatternLink[] = [
    recipe.hook
      ? { key: 'studio.hook_text=on', kind: 'hook', label: 'Hook line on screen', value: { hookText: recipe.hook.text } }
      : { key: 'studio.hook_text=off', kind: 'hook', label: 'No hook line on screen', value: {} },
    recipe.captions
      ? { key: `studio.captions=${recipe.captions.style}`, kind: 'captions', label: `Captions: ${captionStyleLabels[recipe.captions.style as CaptionStyle].split(':')[0]}`, value: { captionStyle: recipe.captions.style } }
      : { key: 'studio.captions=none', kind: 'captions', label: 'No burned-in captions', value: {} },
  ]
  if (recipe.opening) links.push({ key: 'studio.opening=moved', kind: 'hook', label: 'Opening shot moved to the start', value: { opening: recipe.opening } })
  if (file.durationMs !== null) {
    const seconds = file.durationMs / 1000
    const bucket = durationBucketOf(seconds)
    links.push({ key: `duration=${bucket}`, kind: 'duration', label: `Length ${bucket}`, value: { durationSeconds: Math.round(seconds * 10) / 10 } })
  }
  if (file.width && file.height) {
    const aspect = aspectClassOf(file.width / file.height)
    links.push({ key: `format.aspect=${aspect}`, kind: 'format', label: `Aspect ${aspect}`, value: { aspectRatio: Math.round(file.width / file.height * 10_000) / 10_000 } })
  }
  return links
}

/** Every pattern the post shows (see the top of the file), each key once. */
export async function linksOfPost(db: Db, workspaceId: string, postId: string): Promise<PatternLink[]> {
  return (await linksOfPosts(db, workspaceId, [postId])).get(postId) ?? []
}

// Posts read per round: three queries a round, whatever the workspace's size (a rebuild reads every post).
const POSTS_PER_ROUND = 500

/** linksOfPost for many posts of one workspace, in three queries per 500 posts; posts not yet published map to []. */
export async function linksOfPosts(db: Db, workspaceId: string, postIds: string[]): Promise<Map<string, PatternLink[]>> {
  const result = new Map<string, PatternLink[]>(postIds.map(id => [id, []]))
  for (let offset = 0; offset < postIds.length; offset += POSTS_PER_ROUND) {
    const posts = await db.post.findMany({
      where: { id: { in: postIds.slice(offset, offset + POSTS_PER_ROUND) }, workspaceId, publishedAt: { not: null } },
      select: {
        id: true, publishedAt: true, videoId: true,
        workspace: { select: { timeZone: true } },
        render: { select: { sourceVideoId: true, recipeSnapshot: true, params: true, durationMs: true, width: true, height: true } },
      },
    })
    const plans = posts.map((post) => {
      const links: PatternLink[] = timingLinks(post.publishedAt!, post.workspace.timeZone)
      if (post.render) {
        const recipe = (post.render.params as { recipe?: EditRecipe } | null)?.recipe ?? (post.render.recipeSnapshot as RecipeSnapshot | null)?.recipe
        if (recipe) links.push(...renderLinks(recipe, post.render))
      }
      return {
        id: post.id, links,
        sourceVideoId: post.render?.sourceVideoId ?? post.videoId,
        sources: post.render ? ['semantic'] : ['analysis', 'semantic'],
        applied: post.render ? (post.render.recipeSnapshot as RecipeSnapshot | null)?.patternKeys ?? [] : [],
      }
    })
    const videoIds = [...new Set(plans.flatMap(plan => plan.sourceVideoId ? [plan.sourceVideoId] : []))]
    const appliedKeys = [...new Set(plans.flatMap(plan => plan.applied))]
    const [evidence, appliedPatterns] = await Promise.all([
      videoIds.length
        ? db.patternEvidence.findMany({ where: { workspaceId, videoId: { in: videoIds }, source: { in: ['analysis', 'semantic'] } }, select: { videoId: true, value: true, source: true, pattern: { select: { key: true, kind: true, label: true } } } })
        : [],
      appliedKeys.length ? db.pattern.findMany({ where: { workspaceId, key: { in: appliedKeys } }, select: { key: true, kind: true, label: true } }) : [],
    ])
    const evidenceOf = Map.groupBy(evidence, item => item.videoId)
    const patternOf = new Map(appliedPatterns.map(pattern => [pattern.key, pattern]))
    for (const plan of plans) {
      const links = [...plan.links]
      for (const item of plan.sourceVideoId ? evidenceOf.get(plan.sourceVideoId) ?? [] : []) {
        if (plan.sources.includes(item.source)) links.push({ ...item.pattern, value: { ...(item.value as Record<string, unknown> | null ?? {}), from: item.source } })
      }
      for (const key of plan.applied) {
        const pattern = patternOf.get(key)
        if (pattern) links.push({ ...pattern, value: { from: 'recipe' } })
      }
      result.set(plan.id, [...new Map(links.map(link => [link.key, link])).values()])
    }
  }
  return result
}

/**
 * Writes the post's links (idempotent: a link already there stays) and returns the ids of its patterns. Patterns new to
 * the workspace (a timing band, a caption style) are created with their label.
 */
export async function linkPost(db: Db, workspaceId: string, postId: string): Promise<string[]> {
  const links = await linksOfPost(db, workspaceId, postId)
  const patterns = await ensurePatterns(db, workspaceId, links)
  await db.patternEvidence.createMany({
    data: links.map(link => ({ workspaceId, patternId: patterns.get(link.key)!, postId, source: 'metrics' as const, value: link.value as Prisma.InputJsonValue })),
    skipDuplicates: true,
  })
  return links.map(link => patterns.get(link.key)!)
}

/**
 * The ids of the links' patterns, creating those the workspace lacks. Insert-or-skip, then read: two accounts' pulls of
 * one workspace land at once and may both create `post.hour=18-21`; an upsert (read, then insert) fails one of them.
 */
export async function ensurePatterns(db: Db, workspaceId: string, links: PatternLink[]): Promise<Map<string, string>> {
  if (!links.length) return new Map()
  await db.pattern.createMany({ data: links.map(link => ({ workspaceId, key: link.key, kind: link.kind, label: link.label })), skipDuplicates: true })
  const rows = await db.pattern.findMany({ where: { workspaceId, key: { in: links.map(link => link.key) } }, select: { id: true, key: true } })
  return new Map(rows.map(row => [row.key, row.id]))
}
