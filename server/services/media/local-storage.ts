import { randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Proves that media can be written under `root`: creates, writes and removes a probe file. */
export async function checkLocalStorageWritable(root: string): Promise<void> {
  await mkdir(root, { recursive: true })
  const probe = join(root, `.write-probe-${randomUUID()}`)
  await writeFile(probe, 'ok')
  await rm(probe, { force: true })
}
