// Fails the run when a token a loopback platform issued shows up in the output of any app or worker process the
// tests started (see secret-scan.ts). Each project scans when its run ends; the folder is shared, so the last
// project to end scans everything.
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanForSecrets } from './secret-scan'

export default async function setup() {
  const folder = join(tmpdir(), `reelwise-run-logs-${process.pid}`)
  await mkdir(folder, { recursive: true })
  process.env.REELWISE_RUN_LOG_DIR = folder
  return async () => {
    const leaks = await scanForSecrets(folder)
    if (leaks.length) {
      throw new Error(`Tokens issued by the loopback platforms appear in process output (kept in ${folder}): ${leaks.map(leak => `${leak.file} (${leak.secrets})`).join(', ')}. Find the log line that prints them and take them out.`)
    }
    if (!process.env.REELWISE_KEEP_RUN_LOGS) await rm(folder, { recursive: true, force: true }).catch(() => undefined)
  }
}
