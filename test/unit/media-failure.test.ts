import { describe, expect, it } from 'vitest'
import { FfmpegError } from '../../server/services/media/ffmpeg'
import { failureWithDetail, publicFailure, publicPart } from '../../server/services/media/failure'
import { NotAVideoError } from '../../server/services/media/probe'

const generic = 'Rendering failed: ffmpeg could not render this edit.'

describe('failure messages for members and for admins', () => {
  it('keeps a message written for the creator, and replaces ffmpeg\'s own words', () => {
    expect(publicFailure(new NotAVideoError('This video is damaged.'), generic)).toBe('This video is damaged.')
    const ffmpeg = new FfmpegError('ffmpeg exited with code 1: /srv/data/media/ws/a/source.mp4: Invalid data', 1, ['Stream #0:0 -> x', '/srv/data/tmp/render-1/out.mp4: No space left'])
    expect(publicFailure(ffmpeg, generic)).toBe(generic)
    expect(publicFailure(new Error('ENOENT: /srv/data/tmp/x'), generic)).toBe(generic)
  })

  it('puts the detail after the public message, where only the Jobs page shows it', () => {
    const ffmpeg = new FfmpegError('ffmpeg exited with code 1: /srv/data/media/ws/a/source.mp4: Invalid data', 1, ['/srv/data/tmp/render-1/out.mp4: No space left'])
    const thrown = failureWithDetail(generic, ffmpeg)
    expect(thrown.message).toContain('/srv/data/media/ws/a/source.mp4')
    expect(thrown.message).toContain('No space left')
    expect(publicPart(thrown.message)).toBe(generic)
    expect(failureWithDetail('This video is damaged.', new NotAVideoError('This video is damaged.')).message).toBe('This video is damaged.')
    expect(publicPart(null)).toBeNull()
  })
})
