/**
 * Times as the workspace reads them: in its time zone (Settings → Workspace), never the browser's, with the zone
 * named, so an admin in Lisbon and an editor in Tokyo read the same hour.
 */
export function useWorkspaceTime() {
  const { current } = useWorkspace()
  const zone = computed(() => current.value?.timeZone ?? 'UTC')
  const formatter = computed(() => new Intl.DateTimeFormat('en-GB', { timeZone: zone.value, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }))

  /** "30 Nov 2026, 17:02 CET". */
  function format(value: string | Date): string {
    return formatter.value.format(typeof value === 'string' ? new Date(value) : value)
  }

  const dateFormatter = computed(() => new Intl.DateTimeFormat('en-GB', { timeZone: zone.value, day: 'numeric', month: 'short', year: 'numeric' }))

  /** "30 Nov 2026": a day, as the workspace's zone reads it. */
  function formatDate(value: string | Date): string {
    return dateFormatter.value.format(typeof value === 'string' ? new Date(value) : value)
  }

  return { zone, format, formatDate }
}
