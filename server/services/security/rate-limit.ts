import { createHash } from 'node:crypto'
import type { Storage } from 'unstorage'
import { tooManyRequests } from '../errors'

export interface Limit {
  name: string
  max: number
  windowSeconds: number
  /** Shown to the user when the limit is reached; "{minutes}" is replaced by the wait. */
  message: string
}

// Sign-in counts failures per account and every attempt per address, so a wrong password 20 times is stopped
// at 10 without locking out a shared office address. Values chosen to never bother a person, only a script.
export const limits = {
  signInAccount: { name: 'sign-in-account', max: 10, windowSeconds: 15 * 60, message: 'Too many failed sign-ins for this account. Try again in {minutes} minutes, or reset your password.' },
  signInAddress: { name: 'sign-in-ip', max: 60, windowSeconds: 15 * 60, message: 'Too many sign-in attempts from your network. Try again in {minutes} minutes.' },
  signUpAddress: { name: 'sign-up-ip', max: 10, windowSeconds: 60 * 60, message: 'Too many accounts created from your network. Try again in {minutes} minutes.' },
  inviteAddress: { name: 'invite-ip', max: 30, windowSeconds: 15 * 60, message: 'Too many invite attempts from your network. Try again in {minutes} minutes.' },
  inviteAccount: { name: 'invite-account', max: 10, windowSeconds: 15 * 60, message: 'Too many invite attempts from your account. Try again in {minutes} minutes.' },
} satisfies Record<string, Limit>

interface Window { count: number, resetAt: number }

// Keys never hold an e-mail or an address in clear.
function keyFor(limit: Limit, subject: string): string {
  return `ratelimit:${limit.name}:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`
}

async function read(storage: Storage, key: string, now: number): Promise<Window | undefined> {
  const window = await storage.getItem<Window>(key)
  return window && window.resetAt > now ? window : undefined
}

function refuse(limit: Limit, window: Window, now: number): never {
  const seconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000))
  throw tooManyRequests(limit.message.replace('{minutes}', String(Math.ceil(seconds / 60))), seconds)
}

/** Throws 429 when `subject` has used up `limit` in the current window. Counts nothing. */
export async function assertUnderLimit(storage: Storage, limit: Limit, subject: string, now = Date.now()): Promise<void> {
  const window = await read(storage, keyFor(limit, subject), now)
  if (window && window.count >= limit.max) refuse(limit, window, now)
}

/** Forgets what `subject` used of `limit`: a password reset lifts the lock that failed sign-ins put on the account. */
export async function clearLimit(storage: Storage, limit: Limit, subject: string): Promise<void> {
  await storage.removeItem(keyFor(limit, subject))
}

/** Counts one event against `limit`, and throws 429 when that goes over it. */
export async function consume(storage: Storage, limit: Limit, subject: string, now = Date.now()): Promise<void> {
  const key = keyFor(limit, subject)
  const window = await read(storage, key, now) ?? { count: 0, resetAt: now + limit.windowSeconds * 1000 }
  if (window.count >= limit.max) refuse(limit, window, now)
  window.count++
  await storage.setItem(key, window, { ttl: Math.ceil((window.resetAt - now) / 1000) })
}
