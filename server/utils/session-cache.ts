import type { SessionCache } from '../services/auth/session-cache'

let cache: SessionCache | undefined

/** Set by server/plugins/session-cache.ts once the database is up (never on the embedded database). */
export function setSessionCache(started: SessionCache | undefined): void {
  cache = started
}

/** This process's remembered sessions, or undefined where there are none. */
export function useSessionCache(): SessionCache | undefined {
  return cache
}
