import type { z } from 'zod'
import { describeIssues } from '#shared/issues'

// h3's getValidatedRouterParams, readValidatedBody and getValidatedQuery answer a zod refusal with the bare status
// "Validation Error" and zod's error as data, whose issues do not survive JSON. Here, once for every route, it
// becomes a 400 that names the field and what is wrong, with each issue's path and message (never the input).
// Nitro runs error hooks before its error handler writes the response, so the rewritten error is what is sent.
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('error', (error) => {
    const refusal = error as { statusCode?: number, statusMessage?: string, message: string, data?: { issues?: unknown } }
    const issues = refusal.data?.issues
    if (refusal.statusCode !== 400 || refusal.statusMessage !== 'Validation Error' || !Array.isArray(issues)) return
    const described = describeIssues(issues as z.core.$ZodIssue[])
    refusal.statusMessage = described.message
    refusal.message = described.message
    refusal.data = { issues: described.issues }
  })
})
