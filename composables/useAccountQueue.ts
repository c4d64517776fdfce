import type { QueueSlot } from '#shared/calendar'
import type { BestTimes, QueueView } from '#shared/posting-times'

/** An account's queue slots, the next times "add to queue" would take, and its best times to post. */
export function useAccountQueue() {
  const { current } = useWorkspace()
  const url = (accountId: string) => `/api/workspaces/${current.value?.id}/accounts/${accountId}`
  return {
    read: (accountId: string) => $fetch<QueueView>(`${url(accountId)}/queue`),
    save: (accountId: string, slots: QueueSlot[]) => $fetch<QueueView>(`${url(accountId)}/queue`, { method: 'PUT', body: { slots } }),
    bestTimes: (accountId: string) => $fetch<BestTimes>(`${url(accountId)}/best-times`),
  }
}
