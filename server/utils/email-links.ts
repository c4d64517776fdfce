import type { H3Event } from 'h3'
import { z } from 'zod'
import { emailLinkTokenSchema, invalidEmailLinkMessage, type EmailLinkPurpose } from '#shared/auth'
import { badRequest } from '../services/errors'

const linkBody = z.object({ token: emailLinkTokenSchema })

/**
 * The body of a request that carries a link from a mail. A token that is not even the shape of one is refused in
 * the words an unknown link gets, since h3 would answer "Validation Error"; the rest of the body is checked after.
 */
export async function readEmailLinkBody<Body>(event: H3Event, purpose: EmailLinkPurpose, validate: (body: unknown) => Body): Promise<Body> {
  // safeParse does not throw, so h3 hands back its result instead of wrapping a failure in its own error.
  const link = await readValidatedBody(event, body => linkBody.safeParse(body))
  if (!link.success) throw badRequest(invalidEmailLinkMessage(purpose))
  return readValidatedBody(event, validate)
}
