// Text from a user (hook lines, captions, file names) must never change the meaning of an ffmpeg filtergraph.
// ffmpeg parses a graph at two levels: the graph (`;`, `,`, `[`, `]` separate filters and labels) and each
// filter's option string (`:` separates options, `'` quotes, `\` escapes). A value is escaped for both, in that order.

/** Escapes a value for one filter option, e.g. drawtext's text= or a file path in subtitles=. */
export function escapeOptionValue(value: string): string {
  // Inside single quotes nothing is special but the quote itself, which closes, is escaped, and reopens.
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** Escapes an already option-escaped value for the graph level. */
export function escapeGraphValue(value: string): string {
  return value.replace(/[\\'[\],;]/g, character => `\\${character}`)
}

/** A user string ready to stand as `name=<here>` inside a filtergraph. */
export function filterValue(value: string): string {
  // Newlines and NULs have no business in an option; drawtext takes line breaks from text files instead.
  const clean = value.replace(/\0/g, '').replace(/\r\n?/g, '\n')
  return escapeGraphValue(escapeOptionValue(clean))
}
