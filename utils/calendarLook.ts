import type { CalendarEntry, CalendarState } from '#shared/calendar'
import { calendarStateLabels } from '#shared/calendar'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'

type BadgeColor = 'neutral' | 'primary' | 'success' | 'error' | 'warning' | 'info'

/** How each state looks on the calendar: its badge colour, icon and text colour (the label is calendarStateLabels'). */
export const calendarStateLooks: Record<CalendarState, { color: BadgeColor, icon: string, text: string }> = {
  draft: { color: 'neutral', icon: 'i-lucide-pencil-line', text: 'text-muted' },
  scheduled: { color: 'primary', icon: 'i-lucide-clock', text: 'text-primary' },
  waiting_approval: { color: 'warning', icon: 'i-lucide-hourglass', text: 'text-warning' },
  publishing: { color: 'info', icon: 'i-lucide-loader', text: 'text-info' },
  processing: { color: 'info', icon: 'i-lucide-loader', text: 'text-info' },
  published: { color: 'success', icon: 'i-lucide-circle-check', text: 'text-success' },
  failed: { color: 'error', icon: 'i-lucide-circle-x', text: 'text-error' },
  canceled: { color: 'neutral', icon: 'i-lucide-ban', text: 'text-dimmed' },
  mixed: { color: 'warning', icon: 'i-lucide-split', text: 'text-warning' },
}

/** Each platform's own colour, for the dot beside a post (the name always goes with it in words). */
export const platformColors: Record<PlatformKey, string> = {
  youtube: '#dc2626',
  instagram: '#c026d3',
  tiktok: '#0f766e',
  facebook: '#2563eb',
}

/** Whether any account of the entry went out late (the worker was down at its time). */
export const entryLate = (entry: CalendarEntry) => entry.targets.some(target => (target.lateSeconds ?? 0) > 0)

/** "Launch teaser": what a post is called on the calendar. */
export const entryName = (entry: CalendarEntry) => entry.renderName ?? 'A post without a render'

/** "YouTube (My channel) and TikTok (@me)". */
export function entryAccounts(entry: CalendarEntry): string {
  const names = entry.targets.map(target => `${platformNames[target.account.platform]} (${target.account.name})`)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0] ?? 'no account'
}

/** "Late by 4 min": how late a post went out. */
export function lateness(seconds: number): string {
  return seconds < 90 ? `Late by ${Math.round(seconds)} s` : seconds < 5400 ? `Late by ${Math.round(seconds / 60)} min` : `Late by ${Math.round(seconds / 3600)} h`
}

/** A whole sentence for a screen reader: what, when, in which state, to whom. */
export function entryDescription(entry: CalendarEntry, when: string): string {
  const late = entryLate(entry) ? ', published late' : ''
  return `${entryName(entry)}, ${when}, ${calendarStateLabels[entry.state]}${late}, to ${entryAccounts(entry)}`
}
