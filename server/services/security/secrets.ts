// Secrets at rest (platform tokens, a workspace's own AI key): AES-256-GCM, a fresh 12-byte nonce each time, under
// the newest of ENCRYPTION_KEYS. Stored as `v2.<keyId>.<nonce>.<tag>.<ciphertext>` (base64url), where the key id is
// the first 8 hex characters of sha256(key), so an old key can be found again after a rotation (`secrets.rotate`
// re-encrypts every row under the newest one). `v1.<nonce>.<tag>.<ciphertext>` (before key ids) still decrypts
// by trying each key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const VERSION = 'v2'

/** The 32 bytes of a key written as 64 hex characters or as base64. */
export function keyBytes(encryptionKey: string): Buffer {
  const text = encryptionKey.trim()
  const bytes = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
  if (bytes.length !== 32) throw new Error('An encryption key must be 32 bytes')
  return bytes
}

/** A key's public name: the first 8 hex characters of sha256 of its bytes. Never reveals the key. */
export function keyIdOf(encryptionKey: string): string {
  return createHash('sha256').update(keyBytes(encryptionKey)).digest('hex').slice(0, 8)
}

export interface SecretBox {
  /** The id of the key new values are encrypted with (the first of ENCRYPTION_KEYS). */
  readonly currentKeyId: string
  encrypt: (plain: string) => string
  /** The plain secret, or an error that names the missing key id: never the stored value. */
  decrypt: (stored: string) => string
  /** Whether a stored value is already under the newest key (false for v1 and older keys). */
  isCurrent: (stored: string) => boolean
}

/** Thrown when a stored secret cannot be read; the message names a key id or the format, never the value. */
export class SecretError extends Error {
  constructor(message: string, readonly keyId?: string) {
    super(message)
    this.name = 'SecretError'
  }
}

interface Key { id: string, bytes: Buffer }

function open(key: Key, nonce: string, tag: string, body: string, aad?: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(nonce, 'base64url'))
  if (aad) decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}

/** A box over the keys, newest first (ENCRYPTION_KEYS); made once from the configuration (useSecretBox). */
export function createSecretBox(encryptionKeys: readonly string[]): SecretBox {
  if (encryptionKeys.length === 0) throw new Error('A secret box needs at least one encryption key')
  const keys: Key[] = encryptionKeys.map(key => ({ id: keyIdOf(key), bytes: keyBytes(key) }))
  const current = keys[0]!
  const byId = new Map(keys.map(key => [key.id, key]))

  return {
    currentKeyId: current.id,
    encrypt(plain) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', current.bytes, nonce)
      // The version and key id are authenticated, so a value cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(`${VERSION}.${current.id}`))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, current.id, ...[nonce, cipher.getAuthTag(), body].map(part => part.toString('base64url'))].join('.')
    },
    decrypt(stored) {
      const parts = stored.split('.')
      if (parts[0] === 'v2' && parts.length === 5) {
        const [, keyId, nonce, tag, body] = parts as [string, string, string, string, string]
        const key = byId.get(keyId)
        if (!key) throw new SecretError(`A stored secret was encrypted with key ${keyId}, which is not in ENCRYPTION_KEYS: add that key back after the newest one.`, keyId)
        try {
          return open(key, nonce, tag, body, `${VERSION}.${keyId}`)
        }
        catch {
          throw new SecretError(`A stored secret under key ${keyId} could not be decrypted: it was changed or damaged.`, keyId)
        }
      }
      if (parts[0] === 'v1' && parts.length === 4) {
        const [, nonce, tag, body] = parts as [string, string, string, string]
        for (const key of keys) {
          try {
            return open(key, nonce, tag, body)
          }
          catch { /* the next key */ }
        }
        throw new SecretError('A stored secret (saved before key ids) could not be decrypted with any key in ENCRYPTION_KEYS: add the key it was saved with.')
      }
      throw new SecretError('A stored secret is not in a format this version reads')
    },
    isCurrent: stored => stored.startsWith(`${VERSION}.${current.id}.`),
  }
}
