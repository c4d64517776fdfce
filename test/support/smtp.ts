// A loopback SMTP server that stands in for the outside mail server: it accepts every message over real SMTP
// and keeps it, parsed by mailparser, so a test can read the mail a person would get.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  subject: string
  text: string
  html: string
}

export interface LoopbackSmtp {
  url: string
  mails: ReceivedMail[]
  /** Mails sent to `address` so far. */
  to: (address: string) => ReceivedMail[]
  /** Waits for the `count`-th mail to `address` (1-based) and returns it. */
  waitFor: (address: string, count?: number, timeoutMs?: number) => Promise<ReceivedMail>
  close: () => Promise<void>
}

export async function startLoopbackSmtp(): Promise<LoopbackSmtp> {
  const mails: ReceivedMail[] = []
  const server = new SMTPServer({
    // Plain SMTP on loopback, as a relay inside a private network would be; AUTH is accepted but not required.
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'test' }),
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map(recipient => recipient.address.toLowerCase()),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        })
        callback()
      }, callback)
    },
  })
  // An app stopped in the middle of sending (mail goes out without the request waiting) resets its connection: that
  // is not a failure of the test, and without a listener the error would end the test run.
  server.on('error', () => {})
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const { port } = server.server.address() as AddressInfo
  const to = (address: string) => mails.filter(mail => mail.to.includes(address.toLowerCase()))
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to,
    async waitFor(address, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const found = to(address)
        if (found.length >= count) return found[count - 1]!
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      throw new Error(`no mail number ${count} to ${address} within ${timeoutMs} ms (got ${to(address).length}; all: ${mails.map(mail => `${mail.to.join(',')}: ${mail.subject}`).join('; ')})`)
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  }
}

/** The first link in a mail's text that goes to `path` (e.g. '/reset-password/'), and the token at its end. */
export function linkIn(mail: ReceivedMail, path: string): { url: string, token: string } {
  const match = new RegExp(`https?://\\S+?${path.replace(/[/]/g, '\\/')}([A-Za-z0-9_-]+)`).exec(mail.text)
  if (!match) throw new Error(`no ${path} link in the mail:\n${mail.text}`)
  return { url: match[0], token: match[1]! }
}
