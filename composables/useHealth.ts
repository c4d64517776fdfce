export interface HealthCheck {
  ok: boolean
  error?: string
  version?: string
  driver?: string
  applied?: number
}

/** `/health`: only `status` for most people; the report (checks, role) for the install's admins (see README, Health). */
export interface Health {
  status: 'ok' | 'unavailable'
  failing?: string[]
  role?: string
  database?: 'embedded' | 'postgresql'
  checks?: Record<'database' | 'migrations' | 'ffmpeg' | 'storage', HealthCheck> & { jobs?: HealthCheck }
}

/** The server's own health report. A 503 still carries the report, so it is read either way. */
export function useHealth() {
  return useAsyncData<Health>('health', () => $fetch<Health>('/health', { ignoreResponseError: true }), { server: false })
}
