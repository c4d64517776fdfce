import type { Limit } from '../security/rate-limit'

// Mail costs the recipient attention and us reputation: a few a person can use, none a script can flood with.
// Keyed by the address asked for, whether or not an account has it, so a 429 reveals nothing either.
export const mailLimits = {
  resetAccount: { name: 'reset-account', max: 3, windowSeconds: 60 * 60, message: 'Too many reset links were asked for this address. Try again in {minutes} minutes, and look for the ones already sent (and in the spam folder).' },
  resetAddress: { name: 'reset-ip', max: 20, windowSeconds: 60 * 60, message: 'Too many password resets from your network. Try again in {minutes} minutes.' },
  verificationResend: { name: 'verify-resend', max: 5, windowSeconds: 60 * 60, message: 'Too many confirmation mails were sent. Try again in {minutes} minutes, and look for the ones already sent (and in the spam folder).' },
} satisfies Record<string, Limit>
