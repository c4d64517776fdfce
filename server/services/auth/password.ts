import { hash, verify } from '@node-rs/argon2'

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): about 20 ms here.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password)
  }
  catch {
    return false
  }
}

// Verifying against this when the account does not exist keeps the timing the same, so sign-in does not reveal which e-mails have accounts.
let decoy: Promise<string> | undefined
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('not-a-real-password-just-timing')
  return decoy
}
