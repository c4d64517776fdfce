// Scripts as files to take to the shoot: Markdown (one script, or a whole batch in one file) and a PDF laid out as a
// shot list. The PDF uses DejaVu Sans when the system has it (accents, emoji-free symbols and most scripts creators
// write in); without it, pdfkit's built-in Helvetica, which covers Latin-1 only.
import { existsSync } from 'node:fs'
import PDFDocument from 'pdfkit'
import { describeProvenance, type AiProvenanceView } from '#shared/ai'
import { scriptStatusLabels, totalSeconds, type ScriptDetail } from '#shared/scripts'

const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu'

function seconds(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`
}

function madeBy(provenance: AiProvenanceView | null): string {
  return provenance ? `Written by ${describeProvenance(provenance)}` : 'Written by hand'
}

// Markdown that survives any text in the fields: table cells keep their pipes and line breaks escaped.
const cell = (text: string) => (text || '—').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')

export function scriptMarkdown(script: ScriptDetail, headingLevel = 1): string {
  const h = '#'.repeat(headingLevel)
  const lines = [
    `${h} ${script.title}`,
    '',
    `**Hook:** ${script.hook}`,
    '',
    `**Length:** ${seconds(script.targetDurationSec ?? totalSeconds(script.shots))} (shots add up to ${seconds(totalSeconds(script.shots))})`
    + `${script.platform ? ` · **Platform:** ${script.platform}` : ''}${script.pillar ? ` · **Pillar:** ${script.pillar}` : ''} · **Status:** ${scriptStatusLabels[script.status]}`,
    '',
    `${h}# Shots`,
    '',
    '| # | At | Length | Shot | On screen | Spoken | B-roll |',
    '|---|---|---|---|---|---|---|',
    ...script.shots.map((shot, index) => `| ${index + 1} | ${seconds(shot.atSec)} | ${seconds(shot.durationSec)} | ${cell(shot.shot)} | ${cell(shot.onScreenText)} | ${cell(shot.spoken)} | ${cell(shot.broll)} |`),
    '',
    `**Call to action:** ${script.callToAction || '—'}`,
    '',
  ]
  if (script.patterns.length) {
    lines.push(`${h}# Patterns it follows`, '', ...script.patterns.map(pattern => `- **${pattern.label}** (\`${pattern.key}\`)${pattern.how ? `: ${pattern.how}` : ''}`), '')
  }
  lines.push(`_${madeBy(script.provenance)}._`, '')
  return lines.join('\n')
}

export function batchMarkdown(scripts: ScriptDetail[]): string {
  const first = scripts[0]
  const header = [`# Scripts batch (${scripts.length} script${scripts.length === 1 ? '' : 's'})`, '', ...scripts.map((script, index) => `${index + 1}. ${script.title}`), '']
  return [header.join('\n'), ...scripts.map(script => scriptMarkdown(script, 2))].join('\n---\n\n') + (first ? '' : '\n')
}

interface Fonts { regular: string, bold: string, unicode: boolean }

function fonts(document: PDFKit.PDFDocument): Fonts {
  const regular = `${DEJAVU_DIR}/DejaVuSans.ttf`
  const bold = `${DEJAVU_DIR}/DejaVuSans-Bold.ttf`
  if (existsSync(regular) && existsSync(bold)) {
    document.registerFont('Body', regular)
    document.registerFont('Heading', bold)
    return { regular: 'Body', bold: 'Heading', unicode: true }
  }
  return { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false }
}

/** The script as a PDF: title, hook, then each shot as a block (time, what the camera sees, text, words, B-roll), CTA last. */
export async function scriptPdf(script: ScriptDetail): Promise<Buffer> {
  const document = new PDFDocument({ size: 'A4', margin: 50, info: { Title: script.title, Creator: 'Reelwise' } })
  const chunks: Buffer[] = []
  document.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)))
    document.on('error', reject)
  })
  const font = fonts(document)
  // Helvetica cannot draw what Latin-1 lacks: such characters become '?' rather than garbage.
  const text = (value: string) => font.unicode ? value : value.replace(/[^\u0020-\u00FF\n]/g, '?')
  const width = document.page.width - 100

  document.font(font.bold).fontSize(20).text(text(script.title), { width })
  document.moveDown(0.3)
  document.font(font.regular).fontSize(9).fillColor('#555555')
    .text(text(`${seconds(script.targetDurationSec ?? totalSeconds(script.shots))}${script.platform ? ` · ${script.platform}` : ''}${script.pillar ? ` · ${script.pillar}` : ''} · ${scriptStatusLabels[script.status]} · ${madeBy(script.provenance)}`), { width })
  document.moveDown(0.8)
  document.fillColor('#000000').font(font.bold).fontSize(12).text('Hook', { width })
  document.font(font.regular).fontSize(14).text(text(script.hook), { width })
  document.moveDown(0.8)
  document.font(font.bold).fontSize(12).text('Shots', { width })
  document.moveDown(0.3)
  script.shots.forEach((shot, index) => {
    if (document.y > document.page.height - 160) document.addPage()
    document.font(font.bold).fontSize(10.5).text(text(`${index + 1}. ${seconds(shot.atSec)} – ${seconds(shot.atSec + shot.durationSec)} (${seconds(shot.durationSec)})`), { width })
    document.font(font.regular).fontSize(10.5).text(text(shot.shot), { width })
    const parts: [string, string][] = [['On screen', shot.onScreenText], ['Say', shot.spoken], ['B-roll', shot.broll]]
    for (const [label, value] of parts) {
      if (!value) continue
      document.font(font.bold).text(`${label}: `, { continued: true, width }).font(font.regular).text(text(value), { width })
    }
    document.moveDown(0.5)
  })
  document.moveDown(0.3)
  document.font(font.bold).fontSize(12).text('Call to action', { width })
  document.font(font.regular).fontSize(11).text(text(script.callToAction || '—'), { width })
  if (script.patterns.length) {
    document.moveDown(0.8)
    document.font(font.bold).fontSize(12).text('Patterns it follows', { width })
    for (const pattern of script.patterns) {
      document.font(font.regular).fontSize(10).text(text(`• ${pattern.label}${pattern.how ? `: ${pattern.how}` : ''}`), { width })
    }
  }
  document.end()
  return done
}

/** Content-Disposition for a download named after the script, with an ASCII fallback and the UTF-8 name. */
export function attachment(fileName: string, title: string, extension: string): string {
  const utf8 = `${title.trim().slice(0, 80) || 'script'}.${extension}`
  return `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(utf8)}`
}
