import { createSecretBox, type SecretBox } from '../services/security/secrets'

let box: SecretBox | undefined

/** The one SecretBox of this process, over ENCRYPTION_KEYS (newest first): platform tokens, saved AI keys. */
export function useSecretBox(): SecretBox {
  box ??= createSecretBox(useServerConfig().encryptionKeys)
  return box
}
