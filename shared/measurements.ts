// How the Library shows its measurements: the numbers as a creator reads them, and what each one means.

/**
 * A ratio such as "the opening moves 2.4× as much as the rest". Below 1, two significant digits, so a calm opening
 * (0.038) never reads as "0.0×"; from 10, whole numbers.
 */
export function formatRatio(value: number): string {
  if (value === 0) return '0×'
  if (Math.abs(value) < 1) return `${Number(value.toPrecision(2))}×`
  return `${Math.abs(value) >= 10 ? Math.round(value) : value.toFixed(1)}×`
}

/** One line on what a measurement means, and its scale: the help shown next to it. */
export interface MeasurementHelp { meaning: string, scale: string }

export const measurementHelp = {
  integratedLufs: {
    meaning: 'Integrated loudness: how loud the whole video sounds on average, in LUFS (loudness units relative to full scale).',
    scale: 'Closer to 0 is louder. Instagram, TikTok and YouTube play videos at about −14 LUFS; −23 is broadcast quiet.',
  },
  loudnessRangeLu: {
    meaning: 'Loudness range: how much the loudness varies between quiet and loud parts, in LU (loudness units; 1 LU = 1 dB).',
    scale: 'Under 5 LU is even, like most talking-head reels; over 10 LU swings a lot, like film.',
  },
  truePeakDbtp: {
    meaning: 'True peak: the loudest instant of the sound, in dBTP (decibels true peak).',
    scale: '0 dBTP is the ceiling: above about −1 dBTP, platforms\' encoders may distort it.',
  },
  hookLoudnessDeltaLu: {
    meaning: 'How much louder (+) or quieter (−) the first 3 seconds are than the rest, in LU.',
    scale: '0 is the same; ±2 LU or more is a difference you hear.',
  },
  silenceRatio: {
    meaning: 'The share of the video that is silence (quieter than the silence threshold for at least the shortest pause).',
    scale: 'Under 5 % is tight; 15 % or more leaves room for jump cuts.',
  },
  meanMotion: {
    meaning: 'Motion: how much the picture changes from one frame to the next, on average (ffmpeg scdet\'s frame difference, 0–100).',
    scale: 'Under about 1 is a still, locked-off shot; 2–8 a moving camera or busy scene; above 10 fast action or flashes.',
  },
  hookMotionRatio: {
    meaning: 'How much the first 3 seconds move compared with the rest of the video.',
    scale: '1× is the same; 2× is twice the movement (a busy hook); 0.5× half of it (a calm opening).',
  },
  blackRatio: {
    meaning: 'The share of the video that is black frames (fades, or a black opening or ending).',
    scale: '0 % is none; a few % is usual for fades.',
  },
  cutsPerMinute: {
    meaning: 'Cuts per minute: how often the picture changes shot.',
    scale: 'Under 10 is slow, long takes; 20–40 fast; over 40 montage-like.',
  },
  aspectRatio: {
    meaning: 'Width divided by height of the picture.',
    scale: '0.56 (9:16) is vertical, native to Reels, TikTok and Shorts; 1 is square; 1.78 (16:9) is landscape.',
  },
} satisfies Record<string, MeasurementHelp>

export type MeasurementKey = keyof typeof measurementHelp

/**
 * A stored pattern note with its ratio written again by formatRatio: notes saved before it said "0.0×" for a calm
 * opening. The stored value is the truth; the note is only its words.
 */
export function restateRatio(note: string, value: unknown): string {
  const ratio = (value as { hookMotionRatio?: unknown } | null)?.hookMotionRatio
  return typeof ratio === 'number' ? note.replace(/\d+(?:\.\d+)?×/, formatRatio(ratio)) : note
}
