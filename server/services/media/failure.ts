// What a member reads about a failed media job (a video's error, a render's, a job's progress stream) is written
// for them: no paths on this server, no ffmpeg log. The technical detail follows a marker in the job's error,
// which only the Jobs page (admins) shows whole; the server log keeps it too.
import { FfmpegError } from './ffmpeg'

const DETAIL_MARKER = '\n\nDetails for admins: '

// Errors whose message is already written for the person who made the video or the edit.
const readableErrors = new Set(['NotAVideoError', 'RenderInputError', 'RecipeError', 'RenderCanceledError', 'AssetRefusedError'])

/** The message to show any member: the error's own when it was written for them, else `generic`. */
export function publicFailure(error: unknown, generic: string): string {
  return error instanceof Error && readableErrors.has(error.name) ? error.message : generic
}

/** What went wrong, as an admin needs it: the message and, from ffmpeg, the end of its log. */
export function technicalDetail(error: unknown): string {
  if (error instanceof FfmpegError) return [error.message, ...error.stderrTail.slice(-10)].join('\n')
  return error instanceof Error ? error.message : String(error)
}

/** The error a job throws: the public message, then the detail for the Jobs page (and the log). */
export function failureWithDetail(publicMessage: string, error: unknown): Error {
  const detail = technicalDetail(error)
  return new Error(detail === publicMessage ? publicMessage : `${publicMessage}${DETAIL_MARKER}${detail}`, { cause: error })
}

/** A job's error as a member who does not manage jobs may read it: the part before the detail. */
export function publicPart(message: string | null): string | null {
  return message === null ? null : message.split(DETAIL_MARKER)[0]!
}
