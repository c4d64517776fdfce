import { describe, expect, it } from 'vitest'
import { attachmentDisposition } from '../../server/services/media/storage/disposition'

// Node's own check for header values: what it refuses is a 500 for the person downloading.
const headerValueIsValid = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value)
const utf8Name = (header: string) => decodeURIComponent(/filename\*=UTF-8''(\S+)/.exec(header)![1]!)

describe('Content-Disposition for download links', () => {
  it('keeps a plain ASCII name as it is', () => {
    expect(attachmentDisposition('launch v2.mp4')).toBe('attachment; filename="launch v2.mp4"')
  })

  it('gives any other name in filename* with an ASCII fallback, and never an invalid header', () => {
    const names = ['Отчёт «запуск».mp4', '発表 🎬.mp4', 'café.mp4', 'say "hi"\\now.mp4', 'line\r\nSet-Cookie: x=1.mp4', 'half \ud83c.mp4']
    for (const name of names) {
      const header = attachmentDisposition(name)
      expect(headerValueIsValid(header), name).toBe(true)
      expect(header, name).toMatch(/^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]+$/)
      expect(utf8Name(header), name).toBe(name.toWellFormed())
    }
    expect(attachmentDisposition('Отчёт.mp4')).toBe('attachment; filename="_____.mp4"; filename*=UTF-8\'\'%D0%9E%D1%82%D1%87%D1%91%D1%82.mp4')
  })
})
