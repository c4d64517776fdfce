// Reads of the Data API through @googleapis/youtube: one client, the root URL per call (so a stand-in works), our
// fetch, no retries of its own (the jobs decide), and every reply checked with zod before we use it.
import { youtube } from '@googleapis/youtube'
import type { MethodOptions } from '@googleapis/youtube'
import type { z } from 'zod'
import { platformUrl, type PlatformApp } from '../connector'
import { malformedReply, networkError, youtubeError } from './errors'
import { YOUTUBE_ENDPOINTS } from './limits'

export const youtubeClient = youtube('v3')

/** Per-call options: where, with which token and fetch; statuses are ours to read, not the client's to throw. */
export function callOptions(app: PlatformApp, accessToken: string, signal?: AbortSignal): MethodOptions {
  return {
    rootUrl: platformUrl(app, YOUTUBE_ENDPOINTS.apiRoot),
    headers: { Authorization: `Bearer ${accessToken}` },
    ...(app.fetch ? { fetchImplementation: app.fetch } : {}),
    retry: false,
    validateStatus: () => true,
    signal,
  }
}

interface ClientResponse { status: number, data: unknown, headers: Headers }

/** Runs one read and returns its body as `schema` says, or throws a PlatformError without the token in it. */
export async function readApi<Schema extends z.ZodType>(what: string, call: () => Promise<unknown>, schema: Schema): Promise<z.infer<Schema>> {
  let response: ClientResponse
  try {
    response = await call() as ClientResponse
  }
  catch (error) {
    throw networkError(what, error)
  }
  if (response.status < 200 || response.status >= 300) throw youtubeError(response.status, response.data, response.headers)
  const parsed = schema.safeParse(response.data)
  if (!parsed.success) throw malformedReply(what, response.data)
  return parsed.data
}
