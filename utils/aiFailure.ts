/** What a failed AI request says, from our API's ServiceError: its message, why, and whether the local generator can stand in. */
export interface AiFailure {
  message: string
  reason: string | null
  localAvailable: boolean
}

export function aiFailure(error: unknown): AiFailure {
  const data = (error as { data?: { data?: { reason?: string, localAvailable?: boolean } } })?.data?.data
  return { message: apiErrorMessage(error, 'The AI request failed. Try again, or use the local generator.'), reason: data?.reason ?? null, localAvailable: Boolean(data?.localAvailable) }
}
