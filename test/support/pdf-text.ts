// Enough of a PDF reader to find text pdfkit wrote: it inflates the streams, reads each font's ToUnicode map, and
// decodes every TJ run with each map (one of them is the run's own font). Helvetica's literal strings are read as they are.
import { inflateSync } from 'node:zlib'

function streams(pdf: Buffer): string[] {
  const text = pdf.toString('latin1')
  const found: string[] = []
  for (const match of text.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    const raw = Buffer.from(match[1]!, 'latin1')
    try {
      found.push(inflateSync(raw).toString('latin1'))
    }
    catch {
      found.push(match[1]!)
    }
  }
  return found
}

function cmapOf(stream: string): Map<number, string> {
  const map = new Map<number, string>()
  const hex = (value: string) => Number.parseInt(value, 16)
  for (const range of stream.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]/gi)) {
    const targets = [...range[3]!.matchAll(/<([0-9a-f]+)>/gi)].map(target => String.fromCodePoint(hex(target[1]!)))
    targets.forEach((target, index) => map.set(hex(range[1]!) + index, target))
  }
  for (const single of stream.matchAll(/^<([0-9a-f]{4})>\s*<([0-9a-f]+)>$/gim)) map.set(hex(single[1]!), String.fromCodePoint(hex(single[2]!)))
  return map
}

/** Every reading of the PDF's text: one per font map, plus the literal strings; a test looks for its words in any. */
export function pdfTextCandidates(pdf: Buffer): string[] {
  const all = streams(pdf)
  const maps = all.filter(stream => stream.includes('beginbfrange') || stream.includes('beginbfchar')).map(cmapOf)
  const runs = all.flatMap(stream => [...stream.matchAll(/\[([^\]]*)\]\s*TJ/g)].map(match => [...match[1]!.matchAll(/<([0-9a-f]+)>/gi)].map(part => part[1]!).join('')))
  const readings = maps.map(map => runs.map(run => (run.match(/.{4}/g) ?? []).map(code => map.get(Number.parseInt(code, 16)) ?? '\uFFFD').join('')).join('\n'))
  const literals = all.flatMap(stream => [...stream.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)].map(match => match[1]!)).join('\n')
  return [...readings, literals]
}
