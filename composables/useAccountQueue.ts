import type { QueueSlot } from '#shared/calendar'

// The answers of GET/PUT …/accounts/:id/queue and GET …/accounts/:id/best-times (issue 15's contract).
export interface QueueResponse { slots: QueueSlot[], next: string[] }
export interface BestTimesResponse { basis: 'own' | 'default', label: string, slots: { day: number, time: string, score: number }[] }

/** An account's queue slots, the next times "add to queue" would take, and its best times to post. */
export function useAccountQueue() {
  const { current } = useWorkspace()
  const url = (accountId: string) => `/api/workspaces/${current.value?.id}/accounts/${accountId}`
  return {
    read: (accountId: string) => $fetch<QueueResponse>(`${url(accountId)}/queue`),
    save: (accountId: string, slots: QueueSlot[]) => $fetch<QueueResponse>(`${url(accountId)}/queue`, { method: 'PUT', body: { slots } }),
    bestTimes: (accountId: string) => $fetch<BestTimesResponse>(`${url(accountId)}/best-times`),
  }
}
