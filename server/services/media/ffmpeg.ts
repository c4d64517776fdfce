// Locating and identifying ffmpeg. Order: FFMPEG_PATH, then ffmpeg-static's binary if that package is installed,
// then PATH. Always spawned with argument arrays: there is no shell anywhere.
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false)
}

async function fromPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    if (await isExecutable(candidate)) return candidate
  }
  return undefined
}

function fromFfmpegStatic(): string | undefined {
  try {
    // Optional: its install script downloads a binary, which fails offline, so it is usually absent.
    const path = createRequire(import.meta.url)('ffmpeg-static') as unknown
    return typeof path === 'string' ? path : undefined
  }
  catch {
    return undefined
  }
}

export async function resolveFfmpegPath(configured?: string): Promise<string | undefined> {
  if (configured) return configured
  const bundled = fromFfmpegStatic()
  if (bundled && await isExecutable(bundled)) return bundled
  return fromPath('ffmpeg')
}

/** The version string from `ffmpeg -version`, e.g. "5.1.8-0+deb12u1". Throws with a readable message when it cannot run. */
export async function readFfmpegVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['-hide_banner', '-version'], { timeout: 5000 })
  const match = /^ffmpeg version (\S+)/m.exec(stdout)
  if (!match?.[1]) throw new Error(`${path} did not print an ffmpeg version`)
  return match[1]
}
