// What the learning loop's decisions (server/services/analytics/decisions.ts) tell the pages: which pattern a script,
// pillar or variation follows, whether it exploits the best so far or tests another, and the evidence behind it, with
// a link to that evidence on the analytics page.

/** What a chosen pattern's evidence says, in the outcome's log units (0 = the account's usual post). */
export interface PosteriorFigures {
  /** Chosen because it has the best posterior mean (exploit), or drawn while another leads or none does (explore). */
  role: 'exploit' | 'explore'
  mean: number
  lower80: number
  upper80: number
  /** Posts and reference videos behind it. */
  posts: number
  references: number
  /** The outcome it measures ("views", "saves per view"). */
  metric: string
}

/** A log-unit outcome as a multiple of the usual post: 0.59 → "×1.8". */
export function times(logValue: number): string {
  const factor = Math.exp(logValue)
  return `×${factor >= 10 ? Math.round(factor) : factor.toFixed(1)}`
}

/** "×1.8 views (80 %: ×1.2–×2.6, n 6)", with the references counted apart when there are any. */
export function evidenceWords(figures: Pick<PosteriorFigures, 'mean' | 'lower80' | 'upper80' | 'posts' | 'references' | 'metric'>): string {
  const n = figures.posts + figures.references
  const parts = figures.references ? `: ${figures.posts} post${figures.posts === 1 ? '' : 's'}, ${figures.references} reference${figures.references === 1 ? '' : 's'}` : ''
  return `${times(figures.mean)} ${figures.metric} (80 %: ${times(figures.lower80)}–${times(figures.upper80)}, n ${n}${parts})`
}

/** Where a pattern's evidence is shown: its row on the analytics page. */
export const evidenceLink = (key: string) => `/analytics#pattern-${encodeURIComponent(key)}`

/** What an exploration setting does, in a sentence ("1: …"), for the forms that show it. */
export function explorationMeaning(exploration: number): string {
  if (exploration === 0) return 'every script follows your best pattern so far.'
  if (exploration < 1) return 'scripts mostly follow your best patterns and test others less than their evidence allows.'
  if (exploration === 1) return 'scripts test other patterns as often as their chance of being better (Thompson sampling).'
  return 'scripts test uncertain patterns more often than their evidence alone suggests.'
}

// ── The Studio's suggested variations ──

/** One alternative of a Studio dimension (a caption style, the hook line on or off) and what its posts say. */
export interface SuggestedOption {
  /** The pattern key (`studio.captions=bold`, `studio.hook_text=off`): its row on the analytics page. */
  key: string
  /** The value in the recipe: a caption style, or 'on' / 'off' for the hook line. */
  value: string
  label: string
  /** Null while no post shows it. */
  figures: PosteriorFigures | null
  /** Drawn to render now (Thompson sampling; the first draw, then the best of the others). */
  suggested: boolean
}

export interface StudioSuggestions {
  captions: { options: SuggestedOption[], message: string }
  hook: { options: SuggestedOption[], message: string }
  exploration: number
}
