// The fonts renders draw with: DejaVu, from Debian's fonts-dejavu-core (in the Dockerfile, and installed by .ci/run).
// drawtext takes the file; libass finds the family in `dir`.
import { access } from 'node:fs/promises'
import { join } from 'node:path'

export interface RenderFonts {
  dir: string
  regular: string
  bold: string
  family: string
}

export const renderFonts: RenderFonts = {
  dir: '/usr/share/fonts/truetype/dejavu',
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  family: 'DejaVu Sans',
}

/** Fails early, with the fix, when the fonts are missing (text would silently fall back or fail mid-render). */
export async function assertRenderFonts(fonts: RenderFonts = renderFonts): Promise<RenderFonts> {
  try {
    await Promise.all([access(fonts.regular), access(fonts.bold), access(join(fonts.dir))])
    return fonts
  }
  catch {
    throw new Error(`The DejaVu fonts are missing (${fonts.dir}); install them: apt-get install fonts-dejavu-core`)
  }
}
