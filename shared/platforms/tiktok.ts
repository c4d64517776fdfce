import type { PlatformProfile } from './types'

// TikTok Content Posting API. The longest post allowed depends on the creator: creator_info's
// max_video_post_duration_sec decides at posting time (../shared/PLATFORMS.md); 10 min is the ceiling.
export const tiktok: PlatformProfile = {
  key: 'tiktok',
  label: 'TikTok',
  constraints: {
    minSeconds: 3,
    maxSeconds: 10 * 60,
    minFps: 23,
    maxFps: 60,
    aspects: ['9:16'],
    minWidth: 360,
    minHeight: 360,
    maxBytes: 4 * 1024 ** 3,
    videoCodecs: ['h264', 'hevc', 'vp8', 'vp9'],
    maxAudioSampleRate: 48000,
  },
  preset: { fpsCap: 60, maxBitrateKbps: 10000, audioBitrateKbps: 160, standardFrame: false },
  // TikTok's post_info.title is the caption: 2,200 UTF-16 code units.
  caption: { maxChars: 2200 },
  notes: '⚠ The fps range, 360 px minimum, 4 GB and 3 s minimum come from TikTok\'s media transfer guide, not ../shared/PLATFORMS.md.',
}
