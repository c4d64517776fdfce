import type { CalendarEntry } from '#shared/calendar'
import { resolveWallTime } from '#shared/schedule-time'
import type { AskTime } from './useScheduledPosts'

/**
 * Moving a post by dragging it: sent at once in the workspace's zone (asking which moment when the new wall time is
 * in a DST gap or overlap); a refusal puts it back and says why. Undo, in the toast for 8 s or Ctrl/Cmd+Z right
 * after, sends its old wall time and zone back.
 */
export function useCalendarMove(options: { zone: Ref<string>, askTime: AskTime, refresh: () => unknown }) {
  const toast = useToast()
  const { format } = useWorkspaceTime()
  const { update } = useScheduledPosts()

  const lastMove = ref<{ entry: CalendarEntry, at: number, toast: string | number }>()
  async function putBack() {
    const moved = lastMove.value
    lastMove.value = undefined
    if (!moved?.entry.start) return
    toast.remove(moved.toast)
    const wall = moved.entry.wall?.slice(0, 16) ?? ''
    const placeZone = moved.entry.zone ?? options.zone.value
    const resolved = resolveWallTime(wall, placeZone)
    // The moment it had, when its wall time was one of two: the same choice again, without asking.
    const had = Date.parse(moved.entry.start)
    const choice = resolved.kind === 'exact' ? undefined : Date.parse(resolved.kind === 'overlap' ? resolved.earlier : resolved.before) === had ? 'earlier' : 'later'
    try {
      await update(moved.entry.groupId, { when: { kind: 'at', wall, zone: placeZone, ...(choice ? { choice } : {}) } })
      toast.add({ title: `${entryName(moved.entry)} is back at ${format(moved.entry.start)}.`, icon: 'i-lucide-undo-2' })
    }
    catch (failure) {
      toast.add({ title: 'The move could not be undone', description: apiErrorMessage(failure, 'Try again, or change its time in its details.'), color: 'error' })
    }
    void options.refresh()
  }

  async function move(entry: CalendarEntry, wall: string, revert: () => void) {
    try {
      const saved = await withTimeChoice(choice => update(entry.groupId, { when: { kind: 'at', wall, zone: options.zone.value, ...(choice ? { choice } : {}) } }), options.askTime)
      if (!saved) return revert()
      const notice = toast.add({
        title: `Moved to ${saved.entry.start ? format(saved.entry.start) : wall.replace('T', ' ')}`,
        description: entryName(entry),
        icon: 'i-lucide-calendar-check',
        duration: 8000,
        actions: [{ label: 'Undo', icon: 'i-lucide-undo-2', color: 'neutral', variant: 'outline', onClick: () => void putBack() }],
      })
      lastMove.value = { entry, at: Date.now(), toast: notice.id }
      void options.refresh()
    }
    catch (failure) {
      revert()
      toast.add({ title: 'Not moved', description: apiErrorMessage(failure, 'The post could not be moved. Try again.'), color: 'error', icon: 'i-lucide-triangle-alert' })
    }
  }

  function undoKey(event: KeyboardEvent) {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z' || event.shiftKey) return
    if ((event.target as HTMLElement | null)?.closest('input, textarea, select, [contenteditable]')) return
    if (!lastMove.value || Date.now() - lastMove.value.at > 8000) return
    event.preventDefault()
    void putBack()
  }
  onMounted(() => document.addEventListener('keydown', undoKey))
  onBeforeUnmount(() => document.removeEventListener('keydown', undoKey))

  return { move }
}
