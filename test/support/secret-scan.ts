// The run's secret scan (issue 14: tokens never appear in logs). Every token a loopback platform issues is noted,
// every app and worker process's output is kept, and when a project's run ends (secret-scan.global.ts) the outputs
// are searched for the tokens. Both sides write under REELWISE_RUN_LOG_DIR, which the global setup sets before the
// test processes start; without it (a bench, a single script) nothing is written.
import { appendFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

const dir = () => process.env.REELWISE_RUN_LOG_DIR

/** A token, code or secret a fake handed out: no process output may contain it. */
export function noteIssuedSecret(value: string): string {
  const into = dir()
  if (into) appendFileSync(join(into, `secrets-${process.pid}.txt`), `${value}\n`)
  return value
}

/** Output of a process a test started, kept for the scan. */
export function keepProcessOutput(name: string, chunk: Buffer | string): void {
  const into = dir()
  if (into) appendFileSync(join(into, `${name}.log`), chunk)
}

/** The output files in `folder` that contain a noted secret, with how many secrets each holds (never the secrets). */
export async function scanForSecrets(folder: string): Promise<{ file: string, secrets: number }[]> {
  const files = await readdir(folder).catch(() => [] as string[])
  const secrets = new Set<string>()
  for (const file of files.filter(name => name.startsWith('secrets-'))) {
    for (const line of (await readFile(join(folder, file), 'utf8')).split('\n')) if (line.length >= 12) secrets.add(line)
  }
  const leaks: { file: string, secrets: number }[] = []
  for (const file of files.filter(name => name.endsWith('.log'))) {
    const text = await readFile(join(folder, file), 'utf8')
    const found = [...secrets].filter(secret => text.includes(secret)).length
    if (found) leaks.push({ file, secrets: found })
  }
  return leaks
}
