// HTTP Range requests (RFC 9110 §14) for one range of bytes, which is what video players send to seek.

/** The inclusive byte range a Range header asks for, `unsatisfiable`, or undefined to send the whole object. */
export function parseRange(header: string | undefined, sizeBytes: number): { start: number, end: number } | 'unsatisfiable' | undefined {
  const match = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // Several ranges or another unit: a server may ignore the header and send everything.
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || sizeBytes === 0) return 'unsatisfiable'
    return { start: Math.max(0, sizeBytes - suffix), end: sizeBytes - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? sizeBytes - 1 : Math.min(Number(match[2]), sizeBytes - 1)
  if (start >= sizeBytes || start > end) return 'unsatisfiable'
  return { start, end }
}
