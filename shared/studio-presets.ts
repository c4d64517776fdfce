import type { StudioPreset } from './studio'

// The Studio's built-in starting points. Captions need timed text, which only the creator has: a preset sets the
// caption style and leaves `cues` empty for the page to fill (typed, or imported from an SRT file). A recipe with
// captions and no cues does not validate, so the page asks for them, or drops the captions, before it renders.

/** The hook line a preset starts with; the page asks the creator to replace it. */
export const hookPlaceholder = 'Write your hook here'

export const builtInPresets: StudioPreset[] = [
  {
    key: 'fast-hook-captions',
    name: 'Fast hook + captions',
    description: 'Tight jump cuts (pauses over 0.3 s go, 0.1 s of sound kept around each cut), cropped to 9:16, '
      + 'your hook line over the first 2.5 s, word-by-word captions and −14 LUFS loudness, encoded for Instagram Reels. '
      + 'Type your caption lines (or import an SRT file) before rendering: captions need timed text.',
    source: 'built-in',
    patternKeys: [],
    recipe: {
      silence: { thresholdDb: -30, marginSeconds: 0.1, minSilenceSeconds: 0.3 },
      reframe: { mode: 'crop', aspect: '9:16', centerX: 0.5 },
      hook: { text: hookPlaceholder, seconds: 2.5, position: 'top' },
      captions: { style: 'highlight', position: 'bottom', cues: [] },
      loudness: { targetLufs: -14, truePeakDb: -1, rangeLu: 11 },
      platform: 'instagram',
    },
  },
  {
    key: 'clean-talking-head',
    name: 'Clean talking head',
    description: 'Gentle silence removal (only pauses over 0.8 s go, 0.3 s of sound kept around each cut), the whole '
      + 'frame fitted into 9:16 over a blurred copy of itself, clean white captions, no hook, and −14 LUFS loudness. '
      + 'Type your caption lines (or import an SRT file) before rendering: captions need timed text.',
    source: 'built-in',
    patternKeys: [],
    recipe: {
      silence: { thresholdDb: -32, marginSeconds: 0.3, minSilenceSeconds: 0.8 },
      reframe: { mode: 'blur', aspect: '9:16' },
      hook: null,
      captions: { style: 'clean', position: 'bottom', cues: [] },
      loudness: { targetLufs: -14, truePeakDb: -1, rangeLu: 11 },
      platform: null,
    },
  },
]
