import { describe, expect, it } from 'vitest'
import { buildAnalysisCommand } from '../../server/services/media/analysis/command'
import { aspectClassOf, deriveFeatures, matchPatterns, resample } from '../../server/services/media/analysis/features'
import { AnalysisLogParser } from '../../server/services/media/analysis/parse'
import { defaultThresholds } from '../../server/services/media/analysis/thresholds'
import { interpretProbe } from '../../server/services/media/probe'
import { analysisArtifactKey, assertSafeKey, isSafeKey, videoSourceKey } from '../../server/services/media/storage/keys'
import { parseRange } from '../../server/services/media/storage/range'

// Lines as ffmpeg 5.1 prints them.
const stderr = [
  '[scdet @ 0x55a5] lavfi.scd.score: 29.060, lavfi.scd.time: 2.5',
  '[silencedetect @ 0x55a6] silence_start: 3.00002',
  '[Parsed_ebur128_7 @ 0x55a7] t: 0.0999792  TARGET:-23 LUFS    M:-120.7 S:-120.7     I: -70.0 LUFS       LRA:   0.0 LU  FTPK: -23.3 dBFS  TPK: -23.3 dBFS',
  '[Parsed_ebur128_7 @ 0x55a7] t: 0.5  TARGET:-23 LUFS    M: -18.2 S:-120.7     I: -18.0 LUFS       LRA:   0.0 LU  FTPK: -12.3 dBFS  TPK: -12.3 dBFS',
  '[silencedetect @ 0x55a6] silence_end: 4.50004 | silence_duration: 1.50008',
  '[blackdetect @ 0x55a8] black_start:0 black_end:0.4 black_duration:0.4',
  '[scdet @ 0x55a5] lavfi.scd.score: 41.897, lavfi.scd.time: 7.5',
  // A first, discarded graph prints a summary of nothing; the last summary is the real one.
  '[Parsed_ebur128_7 @ 0x55a9] Summary:', '', '  Integrated loudness:', '    I:         -70.0 LUFS',
  '[Parsed_ebur128_7 @ 0x55a7] Summary:', '', '  Integrated loudness:', '    I:         -27.8 LUFS', '    Threshold: -37.9 LUFS',
  '', '  Loudness range:', '    LRA:         3.1 LU', '    Threshold: -48.7 LUFS', '', '  True peak:', '    Peak:      -11.3 dBFS',
  '[silencedetect @ 0x55a6] silence_start: 9.2',
]

describe('reading the analysis pass', () => {
  const parser = new AnalysisLogParser()
  for (const line of stderr) parser.stderrLine(line)
  // Every frame's metadata as `metadata=mode=print` writes it; a frame cut short at exit (no luma) is left out.
  const frame = (index: number, time: number, difference: number, luma: number) => [
    `frame:${index}    pts:${index}       pts_time:${time}`, `lavfi.scd.mafd=${difference}`, `lavfi.scd.score=${difference}`,
    'lavfi.signalstats.YMIN=16', `lavfi.signalstats.YLOW=${luma - 20}`, `lavfi.signalstats.YAVG=${luma}`, `lavfi.signalstats.YHIGH=${luma + 30}`, 'lavfi.signalstats.YMAX=235',
  ]
  for (const line of [...frame(0, 0, 0, 120), ...frame(1, 0.2, 3.5, 121.5), 'frame:2    pts:2       pts_time:0.4', 'lavfi.scd.mafd=1.0']) parser.stdoutLine(line)
  const measured = parser.finish(10, true)

  it('collects cuts, silences (closing one still open at the end), black frames and the last loudness summary', () => {
    expect(measured.cuts).toEqual([{ time: 2.5, score: 29.06 }, { time: 7.5, score: 41.897 }])
    expect(measured.silences).toEqual([{ start: 3.00002, end: 4.50004 }, { start: 9.2, end: 10 }])
    expect(measured.blackIntervals).toEqual([{ start: 0, end: 0.4 }])
    expect(measured.loudness).toMatchObject({ integratedLufs: -27.8, rangeLu: 3.1, truePeakDbtp: -11.3 })
    expect(measured.loudness!.samples).toHaveLength(2)
    expect(measured.motion).toEqual([{ time: 0, motion: 0 }, { time: 0.2, motion: 3.5 }])
    expect(measured.frames).toEqual([{ time: 0, difference: 0, luma: 120, low: 100, high: 150 }, { time: 0.2, difference: 3.5, luma: 121.5, low: 101.5, high: 151.5 }])
    expect(parser.position).toBe(0.5)
  })

  it('derives features and plain-word patterns from the measurements', () => {
    const { features, timeline } = deriveFeatures(measured, { durationSeconds: 10, displayAspect: 9 / 16, hasAudio: true }, 3)
    expect(features).toMatchObject({ cutCount: 2, shotCount: 3, cutsPerMinute: 12, firstCutSeconds: 2.5, medianShotSeconds: 2.5, hookCutCount: 1, aspectClass: '9:16', durationBucket: '<15s', blackRatio: 0.04 })
    expect(features.silenceRatio).toBeCloseTo(0.23, 2)
    expect(timeline.shots).toEqual([{ index: 0, start: 0, end: 2.5 }, { index: 1, start: 2.5, end: 7.5, transition: 'cut' }, { index: 2, start: 7.5, end: 10, transition: 'cut' }])
    expect(timeline.cuts).toEqual([{ time: 2.5, score: 29.06, kind: 'cut' }, { time: 7.5, score: 41.897, kind: 'cut' }])
    const patterns = matchPatterns(features)
    expect(patterns.map(pattern => pattern.key)).toEqual(['hook.first_cut=1-3s', 'pacing.cuts_per_min=10-20', 'pacing.median_shot=1.5-3s', 'audio.silence>=15%', 'audio.loudness=quiet', 'duration=<15s', 'format.aspect=9:16'])
    expect(patterns[0]!.note).toBe('first cut at 2.5 s: a steady hook')
  })

  it('averages curves into a bounded number of points, loudness as energy', () => {
    const samples = Array.from({ length: 1000 }, (_, index) => ({ time: index / 10, level: index % 2 ? -10 : -20 }))
    const curve = resample(samples, 100, sample => sample.level, { maxPoints: 50, minInterval: 0.2, energy: true })
    expect(curve.values).toHaveLength(50)
    expect(curve.interval).toBe(2)
    // The energy mean of −10 and −20 dB is −12.6 dB, not −15.
    expect(curve.values[0]).toBeCloseTo(-12.6, 1)
  })

  it('names aspect classes with a tolerance', () => {
    expect(aspectClassOf(1080 / 1920)).toBe('9:16')
    expect(aspectClassOf(1)).toBe('1:1')
    expect(aspectClassOf(2.39)).toBe('other')
  })
})

describe('the analysis command', () => {
  it('is one ffmpeg invocation with every detector and only numbers in the graph', () => {
    const { args, outputs } = buildAnalysisCommand('/in/clip.mp4', '/work', { durationSeconds: 60, hasAudio: true, thresholds: defaultThresholds })
    const graph = args[args.indexOf('-filter_complex') + 1]!
    for (const filter of ['scdet=threshold=10', 'silencedetect=n=-35dB:d=0.3', 'ebur128=peak=true', 'blackdetect=d=0.2', 'tile=4x4', 'signalstats']) expect(graph).toContain(filter)
    expect(args.filter(arg => arg === '-i')).toHaveLength(1)
    expect(args).toContain(outputs.thumbnail)
    expect(graph).not.toContain('/in/clip.mp4')
  })

  it('leaves audio detectors out when there is no audio', () => {
    const { args } = buildAnalysisCommand('/in/clip.mp4', '/work', { durationSeconds: 5, hasAudio: false, thresholds: defaultThresholds })
    expect(args.join(' ')).not.toContain('0:a:0')
  })
})

describe('probe interpretation', () => {
  const format = { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.5', size: '1000', bit_rate: '640', tags: { major_brand: 'isom' } }
  const video = { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30000/1001', sample_aspect_ratio: '1:1' }

  it('reads a phone video turned by its display matrix', () => {
    const probe = interpretProbe({ format, streams: [{ ...video, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }, { codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 }] })
    expect(probe).toMatchObject({ container: 'mp4', durationSeconds: 12.5, video: { rotation: 90, displayWidth: 1080, displayHeight: 1920, fps: 29.97 }, audio: { codec: 'aac', channels: 2 } })
  })

  it('refuses images, audio-only files and files with no length, saying what they are', () => {
    expect(() => interpretProbe({ format: { format_name: 'png_pipe' }, streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 10 }] })).toThrow('This is a PNG image, not a video')
    expect(() => interpretProbe({ format, streams: [{ codec_type: 'audio', codec_name: 'aac' }] })).toThrow('no video stream')
    expect(() => interpretProbe({ format: { ...format, duration: '0' }, streams: [video] })).toThrow('no playable length')
    expect(() => interpretProbe({ nonsense: true })).toThrow('could not read this file')
  })
})

describe('storage keys and ranges', () => {
  const workspace = '0193a7c2-0000-7000-8000-000000000001'
  const video = '0193a7c2-0000-7000-8000-000000000002'

  it('makes keys from ids only and refuses anything a user could have shaped', () => {
    expect(videoSourceKey(workspace, video, 'mp4')).toBe(`ws/${workspace}/videos/${video}/source.mp4`)
    expect(analysisArtifactKey(workspace, video, video, 'shot-0001.jpg')).toMatch(/analysis\/.+\/shot-0001\.jpg$/)
    expect(() => videoSourceKey('../etc', video, 'mp4')).toThrow()
    expect(() => videoSourceKey(workspace, video, '../../passwd')).toThrow()
    for (const key of ['../x', `ws/${workspace}/../../etc/passwd`, '/etc/passwd', 'ws/abc/My Video.mp4', `ws/${workspace}//x`]) {
      expect(isSafeKey(key), key).toBe(false)
      expect(() => assertSafeKey(key)).toThrow()
    }
  })

  it('parses the single ranges players send', () => {
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 })
    expect(parseRange('bytes=100-199', 1000)).toEqual({ start: 100, end: 199 })
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 })
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 })
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable')
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined()
    expect(parseRange(undefined, 1000)).toBeUndefined()
  })
})
