// A small HTTP client for the built app's API, holding one person's session like a browser would.
export interface ApiResponse<T = any> { status: number, body: T, headers: Headers }

export class ApiClient {
  token?: string
  readonly cookies = new Map<string, string>()

  constructor(readonly baseUrl: string, readonly headers: Record<string, string> = {}) {}

  async request<T = any>(method: string, path: string, body?: unknown, { auth = true } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.headers }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, ...value] = pair!.split('=')
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) this.cookies.delete(name!)
      else this.cookies.set(name!, value.join('='))
    }
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    }
    catch {
      // Not JSON (a page, a redirect): keep the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers }
  }

  get = <T = any>(path: string) => this.request<T>('GET', path)
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {})
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body ?? {})
  delete = <T = any>(path: string) => this.request<T>('DELETE', path)

  async signUp(input: { name: string, email: string, password?: string, inviteToken?: string }): Promise<ApiResponse> {
    const response = await this.post('/api/auth/register', { password: 'a-long-enough-password', ...input })
    if (response.status === 201) this.token = response.body.token
    return response
  }

  async signIn(email: string, password = 'a-long-enough-password'): Promise<ApiResponse> {
    const response = await this.post('/api/auth/login', { email, password })
    if (response.status === 200) this.token = response.body.token
    return response
  }

  async session(): Promise<{ user: { id: string, email: string }, workspaces: { id: string, name: string, role: string }[] }> {
    const response = await this.get('/api/auth/session')
    if (response.status !== 200) throw new Error(`session: HTTP ${response.status} ${JSON.stringify(response.body)}`)
    return response.body
  }
}
