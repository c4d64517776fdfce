// Small pieces both model providers share: the words of the bounded re-ask, and waiting that a cancel interrupts.
import type { ProviderRequest } from '../types'

/** The follow-up turn of the re-ask: the model sees its own reply and why it was refused, and answers again. */
export function repairTurn(repair: NonNullable<ProviderRequest['repair']>): string {
  return `Your previous reply did not match the required JSON schema: ${repair.problem}\n`
    + 'Answer again with only the JSON object, matching the schema exactly.'
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Whole seconds for a message ("in 3 s"), never 0. */
export const wholeSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
