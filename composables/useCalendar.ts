import type { CalendarEntry, CalendarState } from '#shared/calendar'

// The answer of GET …/calendar, as the main author's contract for issue 15 gives it.
export interface CalendarResponse { zone: string, entries: CalendarEntry[], drafts: CalendarEntry[] }

export interface CalendarWindow {
  from: string
  to: string
  accountId?: string
  authorId?: string
  state?: Exclude<CalendarState, 'mixed'>
}

/**
 * The calendar of the current workspace: the entries of a window (month, week or list) with its filters, and the
 * untimed drafts. The window is null until the calendar has drawn its first range, in the browser.
 */
export function useCalendar(window: MaybeRefOrGetter<CalendarWindow | null>) {
  const { current } = useWorkspace()
  const query = computed(() => {
    const value = toValue(window)
    if (!value) return null
    return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined && each !== '')) as Record<string, string>
  })
  const calendar = useApi<CalendarResponse>(() => `/api/workspaces/${current.value?.id}/calendar`, {
    key: () => `calendar-${current.value?.id}-${JSON.stringify(query.value)}`,
    query,
    immediate: false,
    watch: false,
    lazy: true,
    server: false,
  })
  watch(query, value => value && current.value ? calendar.execute() : undefined, { immediate: true })
  return calendar
}
