import type { AiContext } from '../services/ai/generate'

/** What generate() needs in the app: the database, the AI environment and the key that decrypts saved AI keys. */
export function useAi(): AiContext {
  const config = useServerConfig()
  const store = useMediaStore()
  return {
    db: useDb(),
    ai: config.ai,
    encryptionKey: config.encryptionKey,
    readMedia: async (storageKey) => {
      const chunks: Buffer[] = []
      for await (const chunk of (await store.get(storageKey)).body) chunks.push(Buffer.from(chunk as Uint8Array))
      return Buffer.concat(chunks)
    },
  }
}
