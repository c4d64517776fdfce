// The shapes the render modules share (compiler, silence, captions, pipeline), kept apart so they import no cycle.

export interface RenderSource {
  path: string
  /** The picture as players show it (ffmpeg turns rotated input before filters see it). */
  width: number
  height: number
  durationSeconds: number
  /** Frames per second of the source; the render keeps it unless a platform preset or the preview caps it. */
  fps: number
  hasAudio: boolean
}

export interface Span { start: number, end: number }

export class RecipeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RecipeError'
  }
}
