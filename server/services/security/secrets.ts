// Secrets at rest (platform tokens, a workspace's own AI key): AES-256-GCM with ENCRYPTION_KEY, a fresh 12-byte nonce
// each time. Stored as `v1.<nonce>.<tag>.<ciphertext>` (base64url), so a later key rotation can add `v2` beside it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

function keyBytes(encryptionKey: string): Buffer {
  const bytes = /^[0-9a-f]{64}$/i.test(encryptionKey) ? Buffer.from(encryptionKey, 'hex') : Buffer.from(encryptionKey, 'base64')
  if (bytes.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes')
  return bytes
}

export function encryptSecret(plain: string, encryptionKey: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyBytes(encryptionKey), nonce)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return ['v1', nonce, cipher.getAuthTag(), body].map(part => typeof part === 'string' ? part : part.toString('base64url')).join('.')
}

/** The plain secret, or an error that says the key changed: never the stored value. */
export function decryptSecret(stored: string, encryptionKey: string): string {
  const [version, nonce, tag, body] = stored.split('.')
  if (version !== 'v1' || !nonce || !tag || body === undefined) throw new Error('A stored secret is not in a format this version reads')
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(encryptionKey), Buffer.from(nonce, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }
  catch {
    throw new Error('A stored secret could not be decrypted: ENCRYPTION_KEY changed since it was saved. Save the key again.')
  }
}
