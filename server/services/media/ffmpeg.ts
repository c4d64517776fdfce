// Locating and identifying ffmpeg. Order: FFMPEG_PATH, then ffmpeg-static's binary if that package is installed,
// then PATH. Always spawned with argument arrays: there is no shell anywhere.
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { accessSync } from 'node:fs'
import { access, constants } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, delimiter, join } from 'node:path'
import { createInterface } from 'node:readline'
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
  // Seconds, not milliseconds, on a loaded machine; only a hung binary reaches the limit.
  const { stdout } = await run(path, ['-hide_banner', '-version'], { timeout: 10_000 })
  const match = /^ffmpeg version (\S+)/m.exec(stdout)
  if (!match?.[1]) throw new Error(`${path} did not print an ffmpeg version`)
  return match[1]
}

/** ffprobe beside the chosen ffmpeg, else from PATH. */
export async function resolveFfprobePath(configured?: string, ffmpegPath?: string): Promise<string | undefined> {
  if (configured) return configured
  if (ffmpegPath) {
    const sibling = ffmpegPath.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1')
    if (sibling !== ffmpegPath && await isExecutable(sibling)) return sibling
  }
  return fromPath('ffprobe')
}

export interface MediaTools {
  ffmpeg: string
  ffprobe: string
  version: string
}

/** Finds ffmpeg and ffprobe once, with a message that says how to install them when they are missing. */
export async function locateMediaTools(configured: { ffmpegPath?: string, ffprobePath?: string } = {}): Promise<MediaTools> {
  const ffmpeg = await resolveFfmpegPath(configured.ffmpegPath)
  if (!ffmpeg) throw new Error('ffmpeg was not found; install it (apt-get install ffmpeg) or set FFMPEG_PATH')
  const ffprobe = await resolveFfprobePath(configured.ffprobePath, ffmpeg)
  if (!ffprobe) throw new Error('ffprobe was not found; install ffmpeg (it ships ffprobe) or set FFPROBE_PATH')
  return { ffmpeg, ffprobe, version: await readFfmpegVersion(ffmpeg) }
}

export class FfmpegError extends Error {
  constructor(message: string, readonly exitCode: number | null, readonly stderrTail: string[]) {
    super(message)
    this.name = 'FfmpegError'
  }
}

export interface RunOptions {
  /** Called with each line ffmpeg writes to stdout (metadata prints, -progress). */
  onStdoutLine?: (line: string) => void
  /** Called with each line of ffmpeg's log. */
  onStderrLine?: (line: string) => void
  /** Aborting kills ffmpeg. */
  signal?: AbortSignal
}

let deathSignalWrapper: string | null | undefined

/**
 * util-linux's setpriv, which sets the parent-death signal and then runs the tool in its place (same pid): when the
 * worker dies (SIGKILL, out of memory), its ffmpeg is killed too instead of encoding on for nobody. Linux only.
 */
function parentDeathWrapper(): string | null {
  if (deathSignalWrapper !== undefined) return deathSignalWrapper
  deathSignalWrapper = null
  if (process.platform !== 'linux') return null
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK)
      deathSignalWrapper = join(dir, 'setpriv')
      break
    }
    catch {
      // not in this folder
    }
  }
  return deathSignalWrapper
}

/** Spawns ffmpeg or ffprobe with an argument array and streams its output line by line; rejects with the log's last lines. */
export function runMediaTool(path: string, args: string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const wrapper = parentDeathWrapper()
    const [command, commandArgs] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', '--', path, ...args]] : [path, args]
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal, killSignal: 'SIGKILL' })
    const tail: string[] = []
    const stdout = createInterface({ input: child.stdout })
    const stderr = createInterface({ input: child.stderr })
    stdout.on('line', line => options.onStdoutLine?.(line))
    stderr.on('line', (line) => {
      tail.push(line)
      if (tail.length > 30) tail.shift()
      options.onStderrLine?.(line)
    })
    const closed = Promise.all([once(stdout, 'close'), once(stderr, 'close')])
    child.once('error', (error) => {
      // On abort Node kills the child and reports it here; the promise settles once the child has exited (below),
      // so "rejected" means ffmpeg is gone and its files can be removed.
      if (error.name !== 'AbortError') reject(new FfmpegError(`could not start ${path}: ${error.message}`, null, tail))
    })
    child.once('close', (code) => {
      void closed.then(() => {
        if (options.signal?.aborted) reject(new FfmpegError('stopped: the job was canceled', null, tail))
        else if (code === 0) resolvePromise()
        else {
          const last = tail.filter(line => !line.startsWith('  ')).slice(-3).join(' / ')
          reject(new FfmpegError(`${basename(path)} exited with code ${code}: ${last}`, code, tail))
        }
      })
    })
  })
}
