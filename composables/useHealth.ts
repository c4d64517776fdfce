export interface HealthCheck {
  ok: boolean
  error?: string
  version?: string
  driver?: string
  applied?: number
}

export interface Health {
  status: 'ok' | 'fail'
  failing: string[]
  role: string
  database: 'embedded' | 'postgresql'
  checks: Record<'database' | 'migrations' | 'ffmpeg' | 'storage', HealthCheck>
}

/** The server's own health report. A 503 still carries the report, so it is read either way. */
export function useHealth() {
  return useAsyncData<Health>('health', () => $fetch<Health>('/health', { ignoreResponseError: true }), { server: false })
}
