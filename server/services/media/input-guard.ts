// ffmpeg opens whatever an input names. A staged upload has no extension, so its bytes decide its format: an HLS
// playlist or an ffconcat list would make ffmpeg read other files on this machine (another workspace's upload)
// or fetch URLs. Every run on a user's file therefore allows only local files, and only the demuxers of the
// formats we accept; anything else fails with "Format not on whitelist" before it opens a thing.

// ffmpeg matches any comma-separated name: `mov` covers the demuxer "mov,mp4,m4a,3gp,3g2,mj2".
const videoDemuxers = ['mov', 'matroska', 'webm', 'avi', 'mpegts']
// Single pictures, allowed only where a probe must say "this is a PNG image, not a video" (none of these names other files).
const pictureDemuxers = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'gif', 'gif_pipe', 'bmp_pipe', 'tiff_pipe']
const musicDemuxers = ['mp3', 'mov', 'wav', 'ogg', 'flac', 'aac']
// image2 picks a picture by its extension, which only stored files have (staged uploads have none).
const logoDemuxers = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'image2']

export const inputDemuxers = {
  /** Footage and renders: what the library accepts. */
  video: videoDemuxers,
  /** The library's probe, which names what a refused picture is. */
  videoProbe: [...videoDemuxers, ...pictureDemuxers],
  music: musicDemuxers,
  logo: logoDemuxers,
  /** The Studio's probe, which names what a refused file is (a video, a picture, a track). */
  assetProbe: [...new Set([...musicDemuxers, ...logoDemuxers, ...videoDemuxers, ...pictureDemuxers])],
} satisfies Record<string, string[]>

export type InputKind = keyof typeof inputDemuxers

/** Input options for the next `-i` (or ffprobe's file): local files only, and only the demuxers of `kind`. */
export function guardInput(kind: InputKind): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', inputDemuxers[kind].join(',')]
}
