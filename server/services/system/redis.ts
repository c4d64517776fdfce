import { hostname } from 'node:os'

/** How this process's Redis connections appear in CLIENT LIST: what for, which host, which process. */
export function redisConnectionName(purpose: string): string {
  // An operator (and the shutdown test) can tell whose connection is whose, and which ones a stopped process left.
  return `reelwise:${purpose}:${hostname()}:${process.pid}`
}
