import type { PlatformProfile } from './types'

// Facebook Reels on a Page: 9:16, at least 540×960, 24–60 fps, 3–90 s (../shared/PLATFORMS.md).
export const facebook: PlatformProfile = {
  key: 'facebook',
  label: 'Facebook Reels',
  constraints: {
    minSeconds: 3,
    maxSeconds: 90,
    minFps: 24,
    maxFps: 60,
    aspects: ['9:16'],
    minWidth: 540,
    minHeight: 960,
    videoCodecs: ['h264', 'hevc'],
    maxAudioSampleRate: 48000,
  },
  preset: { fpsCap: 60, maxBitrateKbps: 8000, audioBitrateKbps: 160, standardFrame: false },
  // Facebook Reels' description: Facebook's post text limit, 63,206 characters.
  caption: { maxChars: 63206 },
}
