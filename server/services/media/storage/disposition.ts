// Content-Disposition for download links (RFC 6266). Node refuses a header with characters past Latin-1, and
// browsers read Latin-1 bytes as anything, so a name that is not plain ASCII goes in `filename*` (UTF-8,
// percent-encoded) beside an ASCII fallback for old clients.

/** `attachment; filename="..."`, plus `filename*=UTF-8''...` when the name is not plain printable ASCII. */
export function attachmentDisposition(downloadName: string): string {
  // A lone surrogate cannot be encoded as UTF-8: it becomes U+FFFD instead of an error.
  const name = downloadName.toWellFormed()
  // Quotes and backslashes too: clients disagree on escapes inside a quoted string.
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  if (fallback === name) return `attachment; filename="${fallback}"`
  const encoded = encodeURIComponent(name).replace(/['()*]/g, character => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
