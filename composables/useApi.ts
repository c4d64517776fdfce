// useApi for our API. In the browser it fetches through the client's global $fetch, which
// plugins/session-ended.client.ts wraps: a 401 from any list or page goes to sign-in with the way back.
// (useApi itself keeps the $fetch it was built with.) On the server, Nuxt's own request fetch forwards the cookies.
export const useApi = createUseFetch(() => ({ $fetch: import.meta.client ? globalThis.$fetch : undefined }))
