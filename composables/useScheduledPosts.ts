import type { z } from 'zod'
import type { CalendarEntry, reviewInput, scheduleInput, updateScheduleInput, WallTimeChoiceData } from '#shared/calendar'

export type TimeChoice = WallTimeChoiceData['wallTimeChoice']
/** Asks the creator which of two moments they meant; null when they closed the question. */
export type AskTime = (choice: TimeChoice) => Promise<'earlier' | 'later' | null>

/** What a refused save carries: the platforms' problems (400), or the DST choice to make (409). */
export function scheduleRefusal(failure: unknown): { problems: string[], choice: TimeChoice | null } {
  const body = (failure as { data?: { data?: { problems?: unknown, wallTimeChoice?: TimeChoice } } })?.data?.data
  return {
    problems: Array.isArray(body?.problems) ? body.problems.filter((problem): problem is string => typeof problem === 'string') : [],
    choice: body?.wallTimeChoice ?? null,
  }
}

/**
 * Sends a time, and when the server asks which of two moments was meant (409: the DST gap or overlap), asks the
 * creator and sends again with the choice. Null when the creator closed the question without choosing.
 */
export async function withTimeChoice<T>(send: (choice?: 'earlier' | 'later') => Promise<T>, ask: AskTime): Promise<T | null> {
  try {
    return await send()
  }
  catch (failure) {
    const { choice } = scheduleRefusal(failure)
    if (!choice) throw failure
    const picked = await ask(choice)
    return picked ? send(picked) : null
  }
}

/** Scheduling, changing, canceling and reviewing posts of the current workspace (POST/PATCH/DELETE …/schedule). */
export function useScheduledPosts() {
  const { current } = useWorkspace()
  const base = () => `/api/workspaces/${current.value?.id}/schedule`
  return {
    schedule: (input: z.input<typeof scheduleInput>) =>
      $fetch<{ entry: CalendarEntry }>(base(), { method: 'POST', body: input }),
    update: (groupId: string, input: z.input<typeof updateScheduleInput>) =>
      $fetch<{ entry: CalendarEntry }>(`${base()}/${groupId}`, { method: 'PATCH', body: input }),
    cancel: (groupId: string, scope: 'this' | 'following') =>
      $fetch<{ deleted: number, canceled: number, kept: number }>(`${base()}/${groupId}`, { method: 'DELETE', query: { scope } }),
    review: (groupId: string, input: z.input<typeof reviewInput>) =>
      $fetch<{ entry: CalendarEntry }>(`${base()}/${groupId}/review`, { method: 'POST', body: input }),
  }
}
