// A full disk (ENOSPC) is the operator's problem, not the user's file: it is named as such, with what to do, instead of
// a raw "ENOSPC: no space left on device, write" or an ffmpeg log line.

export const RENDER_DISK_FULL_MESSAGE = 'The server\'s disk is full, so this render could not be written; its partial files were removed. '
  + 'Delete renders or videos you no longer need (or ask the person who runs Reelwise to free or enlarge the disk), then render it again.'

export const ANALYSIS_DISK_FULL_MESSAGE = 'The server\'s disk is full, so this video could not be analysed; its partial files were removed. '
  + 'Delete renders or videos you no longer need (or ask the person who runs Reelwise to free or enlarge the disk), then analyse it again.'

export const UPLOAD_DISK_FULL_MESSAGE = 'The server\'s disk is full, so this upload could not be saved; its partial bytes were removed. '
  + 'Delete videos you no longer need (or ask the person who runs Reelwise to free or enlarge the disk), then upload it again.'

const noSpace = /ENOSPC|No space left on device/i

/** True when `error`, or anything in its `cause` chain (ffmpeg's last log lines included), says the disk is full. */
export function isDiskFull(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    const candidate = current as { code?: unknown, message?: unknown, stderrTail?: unknown, cause?: unknown }
    if (candidate.code === 'ENOSPC') return true
    if (typeof candidate.message === 'string' && noSpace.test(candidate.message)) return true
    if (Array.isArray(candidate.stderrTail) && candidate.stderrTail.some(line => typeof line === 'string' && noSpace.test(line))) return true
    current = candidate.cause
  }
  return false
}
