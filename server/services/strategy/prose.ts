// The model's prose reaches the screen without figures: every number a person reads as evidence is computed by our
// code from our rows and shown beside the words. A model that writes "87% more views (n=999)" is not believed:
// the figures are taken out here, server-side, whatever the instructions said. Patterns and the brand are named in
// prose by tokens ({{hook.first_cut<=1s}}, {{brand}}) that are replaced with names from our rows after the scrub, so
// a pattern's own label ("First cut within 1 s") keeps its numbers.

const numberWords = 'zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen'
const multiplierSuffix = String.raw`(?:%|‰|\s*(?:percent|per\s+cent|percentage\s+points?|pp|×|x|times|-?fold)\b)`

// A figure with what makes it a statistic: "87%", "4.2×", "3x", "twelve percent", "n=999", "+40 pp".
const statistic = new RegExp([
  String.raw`\(?\s*\bn\s*[=:≈]\s*[\d,.]+\s*\)?`,
  String.raw`[+\-−±~≈]?\s*\d[\d,.]*\s*[×x](?=\W|$)`,
  String.raw`[+\-−±~≈]?\d[\d,.]*${multiplierSuffix}`,
  String.raw`\b(?:${numberWords})(?:[\s-]+(?:and\s+)?(?:${numberWords}))*${multiplierSuffix}`,
].join('|'), 'gi')

// Any other number in prose: "999", "1.5", "3rd", "12k", "30 s".
const anyNumber = /[+\-−±~≈]?\d[\d,.]*(?:st|nd|rd|th|k|m|bn)?(?:\s*(?:ms|s|sec|secs|seconds)\b)?/gi

function tidy(text: string): string {
  return text
    .replace(/\(\s*[,;:]?\s*\)/g, '')
    .replace(/\s+([,.;:!?)])/g, '$1')
    .replace(/([(])\s+/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/([,;:])(?=[,;:.])/g, '')
    .trim()
}

export interface Scrubbed { text: string, removed: number }

function scrubWith(text: string, patterns: RegExp[]): Scrubbed {
  let removed = 0
  let result = text
  for (const pattern of patterns) {
    result = result.replace(pattern, () => {
      removed += 1
      return ' '
    })
  }
  return { text: removed ? tidy(result) : text.trim(), removed }
}

/** Prose (summary, rationale, a claim's words): every figure goes, statistics and plain numbers alike. */
export function scrubProse(text: string): Scrubbed {
  return scrubWith(text, [statistic, anyNumber])
}

/**
 * A hook line keeps its counts ("3 knife mistakes", "in 30 seconds"): it is a line to say on camera, not evidence,
 * and counts are how hooks are written. What makes a number a statistic (a percentage, a multiplier, "n=") goes,
 * so a hook cannot smuggle a performance figure onto the page.
 */
export function scrubHook(text: string): Scrubbed {
  return scrubWith(text, [statistic])
}

const token = /\{\{\s*([^{}]+?)\s*\}\}/g

/** The pattern keys a text names with {{key}} tokens ({{brand}} is not one). */
export function tokenKeys(text: string): string[] {
  return [...text.matchAll(token)].map(match => match[1]!).filter(key => key !== 'brand')
}

/**
 * Scrubs the prose around the tokens, then names each token from our rows: a known pattern by its label, the brand by
 * its name. An unknown key leaves "a pattern" and is reported through `unknown`.
 */
export function resolveProse(text: string, names: { brand: string, labels: Map<string, string> }, scrub: (text: string) => Scrubbed = scrubProse): Scrubbed & { unknown: string[] } {
  const unknown: string[] = []
  let removed = 0
  // The text between tokens is scrubbed on its own, so the tokens' keys (with their digits) are never touched.
  const pieces: string[] = []
  let from = 0
  const words = (part: string) => {
    const scrubbed = scrub(part)
    removed += scrubbed.removed
    // Keep the spaces at the edges, which join the words to the names around them.
    return scrubbed.removed ? `${/^\s/.test(part) ? ' ' : ''}${scrubbed.text}${/\s$/.test(part) ? ' ' : ''}` : part
  }
  for (const match of text.matchAll(token)) {
    pieces.push(words(text.slice(from, match.index)))
    from = match.index + match[0].length
    const key = match[1]!
    const label = names.labels.get(key)
    if (key === 'brand') pieces.push(names.brand)
    else if (label) pieces.push(`“${label}”`)
    else {
      unknown.push(key)
      pieces.push('a pattern')
    }
  }
  pieces.push(words(text.slice(from)))
  const out = pieces.join('')
  return { text: tidy(out), removed, unknown }
}
