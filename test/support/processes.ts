// Processes as /proc sees them, to check that no ffmpeg outlives the worker that started it.
import { readdir, readFile } from 'node:fs/promises'

interface ProcessInfo {
  pid: number
  parent: number
  command: string
  state: string
}

async function readProcess(pid: number): Promise<ProcessInfo | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (!stat) return undefined
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
  const close = stat.lastIndexOf(')')
  const [state, parent] = stat.slice(close + 2).split(' ')
  return { pid, command: stat.slice(stat.indexOf('(') + 1, close), state: state!, parent: Number(parent) }
}

async function allProcesses(): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter(name => /^\d+$/.test(name)).map(Number)
  return (await Promise.all(pids.map(readProcess))).filter(info => info !== undefined)
}

/** Live (not zombie) ffmpeg/ffprobe children of `parent`. */
export async function mediaToolChildren(parent: number): Promise<number[]> {
  return (await allProcesses()).filter(info => info.parent === parent && /^ff(mpeg|probe)$/.test(info.command) && info.state !== 'Z').map(info => info.pid)
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not). */
export async function isRunning(pid: number): Promise<boolean> {
  const info = await readProcess(pid)
  return info !== undefined && info.state !== 'Z'
}

/** Live ffmpeg/ffprobe processes whose command line mentions `text` (a test's own folder). */
export async function mediaToolsMentioning(text: string): Promise<number[]> {
  const found: number[] = []
  for (const info of await allProcesses()) {
    if (!/^ff(mpeg|probe)$/.test(info.command) || info.state === 'Z') continue
    const commandLine = await readFile(`/proc/${info.pid}/cmdline`, 'utf8').catch(() => '')
    if (commandLine.includes(text)) found.push(info.pid)
  }
  return found
}
