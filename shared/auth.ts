import { z } from 'zod'
import { roles } from './permissions'

// Schemas shared by the forms and the routes that receive them.

// A few of the passwords that every list of leaked passwords starts with.
const commonPasswords = new Set(['password', 'password1', 'password123', '1234567890', '12345678910', 'qwertyuiop', 'iloveyou12', 'letmein123', 'welcome123', 'admin12345', 'abc1234567'])

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ error: 'Enter a valid e-mail address.' }).max(254))

export const newPasswordSchema = z.string()
  .min(10, 'Use at least 10 characters for your password.')
  .max(200, 'Use at most 200 characters for your password.')
  .refine(value => !commonPasswords.has(value.toLowerCase()), 'That password is on every list of leaked passwords; choose another.')
  .refine(value => new Set(value).size >= 5, 'Use a password with more variety (at least 5 different characters).')

export const signUpSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(80),
  email: emailSchema,
  password: newPasswordSchema,
  inviteToken: z.string().min(20).max(200).optional(),
})

// The token of a link from a mail (password reset, address verification): 32 random bytes, base64url.
export const emailLinkTokenSchema = z.string().min(20).max(200).regex(/^[\w-]+$/)

export type EmailLinkPurpose = 'password_reset' | 'email_verification'

// The next step when a link from a mail does not work, whatever the reason: the API and the page say the same.
export const emailLinkAdvice: Record<EmailLinkPurpose, string> = {
  password_reset: 'Ask for a new link with "Forgot password?" on the sign-in page.',
  email_verification: 'Send a new link from the banner in the app.',
}

// A link cut short or mistyped reads like one we never sent: the person's next step is the same.
export const invalidEmailLinkMessage = (purpose: EmailLinkPurpose) => `This link is not valid. ${emailLinkAdvice[purpose]}`

export const passwordResetRequestSchema = z.object({ email: emailSchema })

export const passwordResetSchema = z.object({ token: emailLinkTokenSchema, password: newPasswordSchema })

export const verifyEmailSchema = z.object({ token: emailLinkTokenSchema })

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password.').max(200),
})

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value })
    return value.includes('/') || value === 'UTC'
  }
  catch {
    return false
  }
}

export const workspaceSettingsSchema = z.object({
  name: z.string().trim().min(1, 'Give the workspace a name.').max(80),
  timeZone: z.string().refine(isTimeZone, 'Choose a time zone from the list (an IANA name such as Europe/Paris).'),
  postsNeedApproval: z.boolean(),
  // A scheduled post whose worker was down still goes out this long after its time (marked late); later, it fails.
  lateLimitMinutes: z.number({ error: 'Give the late limit in minutes.' }).int('Give whole minutes.').min(0, 'The late limit cannot be negative.').max(7 * 24 * 60, 'The late limit can be at most a week (10,080 minutes).'),
})

export const createWorkspaceSchema = workspaceSettingsSchema.pick({ name: true, timeZone: true })

export const roleSchema = z.enum(roles, { error: 'Choose owner, admin, editor or viewer.' })

export const createInviteSchema = z.object({
  role: roleSchema,
  email: emailSchema.optional(),
  expiresInDays: z.number().int().min(1).max(30).default(7),
})

export const changeRoleSchema = z.object({ role: roleSchema })

export const uuidParam = z.uuid({ error: 'That id is not valid.' })

// The profile page: the person's own account.
export const profileSchema = z.object({ name: z.string().trim().min(1, 'Enter your name.').max(80) })

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your current password.').max(200),
  newPassword: newPasswordSchema,
})

export interface AccountProfile {
  name: string
  email: string
  emailVerified: boolean
  /** False for accounts that sign in only through Supabase. */
  hasPassword: boolean
  /** Sessions on other devices and browsers that are still signed in. */
  otherSessions: number
  createdAt: string
}
