import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import { captionProblems } from '#shared/posts'
import type { RenderSummary } from '#shared/studio'
import { calendarWeekdays } from './calendarWhen'

/** One render of an evergreen rotation, as its form holds it. */
export interface EvergreenItemFields { renderId: string, caption: string, title: string }

/**
 * What a platform would refuse in one render's turn: the render itself (its length, its size) and its caption and
 * YouTube title. Each render goes out on its own, so each is checked against every chosen platform.
 */
export function evergreenItemProblems(item: EvergreenItemFields, renders: RenderSummary[], platforms: PlatformKey[]): string[] {
  const render = renders.find(each => each.id === item.renderId)
  return platforms.flatMap(platform => [
    ...(render?.checks?.find(check => check.platform === platform)?.problems ?? []).map(problem => `${platformNames[platform]}: ${problem}`),
    ...captionProblems(platform, { caption: item.caption, title: platform === 'youtube' ? item.title : null }),
  ])
}

/** The rotation's RRULE from the chosen weekdays (MO … SU): every day reads as daily. */
export function evergreenRule(days: string[]): string {
  if (days.length === calendarWeekdays.length) return 'FREQ=DAILY'
  const ordered = calendarWeekdays.filter(day => days.includes(day.code)).map(day => day.code)
  return `FREQ=WEEKLY;BYDAY=${ordered.join(',')}`
}
