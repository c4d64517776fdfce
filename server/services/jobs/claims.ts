// What a handler that owns a domain row (a Render, an analysis) shares: its claim on the row names its attempt and
// is renewed while the attempt lives; scratch folders are named after the attempt, so a later one can clean up.
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/** A live attempt renews its claim every second; one silent this long has died with its worker. */
export const CLAIM_LEASE_MS = 30_000

/** The folder name of an attempt's scratch files, so a later attempt can find a dead one's and remove them. */
export function scratchFolderName(kind: 'render' | 'analysis', rowId: string, attempt: string): string {
  return `${kind}-${rowId}-${attempt.replace(/[^\w-]/g, '_')}`
}

/** Removes the scratch folders of the row's other attempts: only called once this attempt holds the claim. */
export async function removeStaleScratch(scratchDir: string, kind: 'render' | 'analysis', rowId: string, keep: string): Promise<void> {
  const prefix = `${kind}-${rowId}-`
  for (const name of await readdir(scratchDir).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name !== keep) await rm(join(scratchDir, name), { recursive: true, force: true })
  }
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      done()
    }, { once: true })
  })
}
