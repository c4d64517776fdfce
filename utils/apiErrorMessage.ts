/** The message a failed $fetch carries from our API (a ServiceError or a zod validation error), in words for a person. */
export function apiErrorMessage(error: unknown, fallback = 'Something went wrong. Try again.'): string {
  const data = (error as { data?: { statusMessage?: string, message?: string, data?: { issues?: { message: string }[] } } })?.data
  const issue = data?.data?.issues?.[0]?.message
  return issue ?? data?.statusMessage ?? data?.message ?? fallback
}
