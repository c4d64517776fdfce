import { describe, expect, it } from 'vitest'
import { BackendStream } from '../../server/services/db/backend-stream'

// PostgreSQL backend messages as they go over the wire: type byte, Int32 length (itself included), body.
function message(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length)
  bytes[0] = type.charCodeAt(0)
  new DataView(bytes.buffer).setInt32(1, body.length + 4)
  bytes.set(body, 5)
  return bytes
}
const text = (value: string) => new TextEncoder().encode(`${value}\0`)
const concat = (...parts: Uint8Array[]) => {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return bytes
}
const notification = (channel: string, payload: string) => message('A', concat(new Uint8Array([0, 0, 0, 42]), text(channel), text(payload)))
const dataRow = (size: number) => message('D', concat(new Uint8Array([0, 1]), new Uint8Array([0, 0, size >> 8, size & 255]), new Uint8Array(size).fill(65)))

function record() {
  const events: string[] = []
  const stream = new BackendStream({
    notification: (channel, payload) => events.push(`${channel}=${payload}`),
    unlistened: () => events.push('unlistened'),
    lost: () => events.push('lost'),
  })
  return { events, stream }
}

describe('BackendStream', () => {
  // An UPDATE's answer, with a large row before it (a payload byte that looks like a type must not be read as one).
  const answer = concat(dataRow(3000), message('C', text('UPDATE 1')), notification('reelwise_session_cache', 'user:7'), message('Z', new Uint8Array([73])))

  it('finds a notification wherever the answer is cut into chunks', () => {
    for (let cut = 0; cut <= answer.length; cut += 1) {
      const { events, stream } = record()
      stream.push(answer.subarray(0, cut))
      stream.push(answer.subarray(cut))
      stream.end(true)
      expect(events, `cut at ${cut}`).toEqual(['reelwise_session_cache=user:7'])
    }
    const { events, stream } = record()
    for (const byte of answer) stream.push(new Uint8Array([byte]))
    stream.end(true)
    expect(events).toEqual(['reelwise_session_cache=user:7'])
  })

  it('says when the session stops listening', () => {
    for (const tag of ['UNLISTEN', 'DISCARD ALL']) {
      const { events, stream } = record()
      stream.push(concat(message('C', text(tag)), message('Z', new Uint8Array([73]))))
      stream.end(true)
      expect(events).toEqual(['unlistened'])
    }
  })

  it('says a notification may have been missed when it cannot read the answer, and reads the next one', () => {
    const garbled = record()
    garbled.stream.push(concat(message('?', new Uint8Array(3)), notification('reelwise_session_cache', 'user:1')))
    garbled.stream.end(true)
    garbled.stream.push(answer)
    garbled.stream.end(true)
    expect(garbled.events).toEqual(['lost', 'reelwise_session_cache=user:7'])

    const cutShort = record()
    cutShort.stream.push(answer.subarray(0, 100))
    cutShort.stream.end(true)
    expect(cutShort.events).toEqual(['lost'])

    const failed = record()
    failed.stream.push(message('Z', new Uint8Array([73])))
    failed.stream.end(false)
    expect(failed.events).toEqual(['lost'])
  })
})
