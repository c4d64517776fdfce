import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { MediaStore } from './types'

// A key under a workspace id no workspace can have, so the probe never touches real media.
const HEALTH_PREFIX = 'ws/00000000-0000-0000-0000-000000000000/health/'

/** Proves that media can be written, read back and deleted, whichever driver is configured. */
export async function checkMediaStoreWritable(store: MediaStore): Promise<void> {
  const key = `${HEALTH_PREFIX}probe-${randomUUID()}.txt`
  await store.put(key, Readable.from([Buffer.from('ok')]), { contentType: 'text/plain' })
  try {
    const info = await store.stat(key)
    if (info?.sizeBytes !== 2) throw new Error(`wrote 2 bytes to ${store.driver} storage but read back ${info?.sizeBytes ?? 'nothing'}`)
  }
  finally {
    await store.delete(key)
  }
}
