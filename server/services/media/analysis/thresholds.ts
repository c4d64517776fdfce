// The knobs of an analysis, with the defaults documented in README.md. Each analysis stores the values it used.
import { z } from 'zod'

export const analysisThresholdsSchema = z.object({
  // scdet's scene score (0–100) above which a frame starts a new shot. Hard cuts score 20–60; camera motion stays under 5.
  cutThreshold: z.number().min(1).max(100).default(10),
  // Audio quieter than this (dBFS) for at least silenceMinSeconds is a silence.
  silenceNoiseDb: z.number().min(-90).max(-10).default(-35),
  silenceMinSeconds: z.number().min(0.05).max(10).default(0.3),
  // Frames whose pixels are at least 98 % darker than 10 % luma, for at least blackMinSeconds, are a black interval.
  blackMinSeconds: z.number().min(0.04).max(10).default(0.2),
  blackPixelThreshold: z.number().min(0).max(1).default(0.1),
  // The opening a viewer decides in; hook features compare it with the rest.
  hookWindowSeconds: z.number().min(1).max(10).default(3),
  // Frames per second sampled for the motion curve and black detection (cuts use every frame).
  sampleFps: z.number().min(1).max(30).default(5),
})

export type AnalysisThresholds = z.infer<typeof analysisThresholdsSchema>

export const defaultThresholds: AnalysisThresholds = analysisThresholdsSchema.parse({})

/** Optional overrides from a request or the command line, merged over the defaults. */
export const thresholdOverridesSchema = analysisThresholdsSchema.partial()
export type ThresholdOverrides = z.infer<typeof thresholdOverridesSchema>
