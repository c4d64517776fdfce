import type { PlatformProfile } from './types'

// YouTube Shorts: vertical (or square) and 3 minutes or less, or YouTube files it as a normal video
// (../shared/PLATFORMS.md). YouTube takes almost any file; the fps range is the one it recommends.
export const youtube: PlatformProfile = {
  key: 'youtube',
  label: 'YouTube Shorts',
  constraints: {
    minSeconds: 1,
    maxSeconds: 180,
    minFps: 24,
    maxFps: 60,
    aspects: ['9:16', '1:1'],
    minWidth: 360,
    minHeight: 360,
    videoCodecs: ['h264', 'hevc', 'vp9', 'av1'],
    maxAudioSampleRate: 96000,
  },
  preset: { fpsCap: 60, maxBitrateKbps: 12000, audioBitrateKbps: 192, standardFrame: false },
  // YouTube: a title of 100 characters, a description of 5,000 bytes (counted here as characters), tags 500 characters in all.
  caption: { maxChars: 5000, title: { maxChars: 100 }, tags: { maxTotalChars: 500 } },
  notes: 'Shorts have no documented minimum length; the fps range is YouTube\'s upload recommendation.',
}
