// A failure that another attempt cannot fix: a full disk, footage that is not a video, a recipe the clip cannot take.
// A handler throws it, and the engine fails the job at once: no retry runs, the JobRun says failed with the reason,
// and the job goes to its dead-letter queue like any job whose attempts ran out.

/** Thrown by a handler when retrying would fail the same way. The message is what the Jobs page shows. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PermanentJobError'
  }
}

/** `error`, message kept, as a failure the engine does not retry. */
export function withoutRetry(error: Error): PermanentJobError {
  return new PermanentJobError(error.message, { cause: error })
}

// By name rather than instanceof: a bundle (Nitro's chunks, a test's own import) may hold two copies of this module.
export function isPermanentFailure(error: unknown): error is PermanentJobError {
  return error instanceof Error && error.name === 'PermanentJobError'
}
