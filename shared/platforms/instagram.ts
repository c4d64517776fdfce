import type { PlatformProfile } from './types'

// Instagram Reels through the Graph API: MP4/MOV, H.264 or HEVC, closed GOP, 4:2:0, AAC ≤ 48 kHz,
// 3 s to 15 min, 23–60 fps, 9:16 at 1080×1920 (../shared/PLATFORMS.md).
export const instagram: PlatformProfile = {
  key: 'instagram',
  label: 'Instagram Reels',
  constraints: {
    minSeconds: 3,
    maxSeconds: 15 * 60,
    minFps: 23,
    maxFps: 60,
    aspects: ['9:16'],
    minWidth: 540,
    minHeight: 960,
    videoCodecs: ['h264', 'hevc'],
    maxAudioSampleRate: 48000,
  },
  preset: { fpsCap: 60, maxBitrateKbps: 8000, audioBitrateKbps: 160, standardFrame: true },
  // Instagram's caption: 2,200 characters, at most 30 hashtags and 20 @mentions (Graph API media reference).
  caption: { maxChars: 2200, maxHashtags: 30, maxMentions: 20 },
  notes: 'The 540×960 minimum is Facebook Reels\' figure, used for Instagram too; its preset renders the 1080×1920 Instagram asks for.',
}
