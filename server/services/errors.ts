// The error a service throws when the caller can fix something: a status, and a message a user can act on.
// Services stay free of HTTP types so a worker job can call them too; routes let these errors pass through,
// and h3 answers with the status and message because of the marker below (h3 checks the constructor for it).
export class ServiceError extends Error {
  static __h3_error__ = true
  readonly statusCode: number
  readonly statusMessage: string
  readonly data?: Record<string, unknown>
  readonly fatal = false
  readonly unhandled = false

  constructor(statusCode: number, message: string, data?: Record<string, unknown>) {
    super(message)
    this.name = 'ServiceError'
    this.statusCode = statusCode
    this.statusMessage = message
    this.data = data
  }

  toJSON() {
    return { statusCode: this.statusCode, statusMessage: this.statusMessage, message: this.message, data: this.data }
  }
}

export const badRequest = (message: string, data?: Record<string, unknown>) => new ServiceError(400, message, data)
export const unauthorized = (message = 'Sign in to continue.') => new ServiceError(401, message)
export const forbidden = (message: string) => new ServiceError(403, message)
export const notFound = (what: string) => new ServiceError(404, `${what} was not found.`)
export const conflict = (message: string) => new ServiceError(409, message)
export const tooManyRequests = (message: string, retryAfterSeconds: number) => new ServiceError(429, message, { retryAfterSeconds })
