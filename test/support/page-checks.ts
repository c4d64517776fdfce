// Checks every e2e page can run on what is on screen: axe-core's WCAG 2.1 A/AA rules, a page wider than the
// screen, and controls smaller than a fingertip. Each returns what it found, described for a person, so a failing
// assertion names the element and the rule.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

// Evaluated through the DevTools protocol, which the app's Content-Security-Policy (rightly) does not let a script tag do.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical violations of WCAG 2.1 A and AA on the page as it stands. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string, impact: string | null, help: string, nodes: { target: unknown[], failureSummary?: string }[] }[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    return result.violations
      .filter(violation => violation.impact === 'serious' || violation.impact === 'critical')
      .map(violation => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.slice(0, 3).map(node => node.target.join(' ')).join(' | ')}`)
  })
  return violations
}

/** The elements that stick out past the right edge, when the page scrolls sideways; none when it does not. */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth <= width) return []
    const describe = (element: Element) => {
      const id = element.getAttribute('data-testid') ?? element.id
      return `${element.tagName.toLowerCase()}${id ? `[${id}]` : ''}.${[...element.classList].slice(0, 3).join('.')}`
    }
    const offenders: string[] = []
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect()
      if (box.width > 0 && box.right > width + 1) {
        // Name the outermost offender only: its children stick out because it does.
        const parent = element.parentElement
        if (parent && parent.getBoundingClientRect().right > width + 1) continue
        offenders.push(`${describe(element)} ends at ${Math.round(box.right)} px`)
      }
    }
    return offenders.length ? offenders : [`the page is ${document.documentElement.scrollWidth} px wide`]
  })
}

/**
 * Visible controls whose touch target (the control with its label) is less than `minimum` px tall or wide. Links
 * inside running text are exempt, as WCAG 2.5.5 allows.
 */
export async function smallControls(page: Page, minimum = 44): Promise<string[]> {
  return page.evaluate((minimum) => {
    const selector = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [role=radio], [role=checkbox], [role=switch], [role=menuitem], [role=combobox]'
    const found: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      const box = element.getBoundingClientRect()
      if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue
      if (element.closest('[aria-hidden=true]')) continue
      // WCAG 2.5.5's exception: a control whose action a full-size control on the same page also offers.
      const equivalent = element.getAttribute('data-equivalent-control')
      if (equivalent && document.querySelector(`[data-testid="${equivalent}"]`)) continue
      if (element.tagName === 'A' && getComputedStyle(element).display === 'inline' && element.parentElement?.closest('p, li, td')) continue
      // A checkbox or radio is hit through its label too.
      const label = element.closest('label') ?? (element.id ? document.querySelector(`label[for="${CSS.escape(element.id)}"]`) : null)
      const target = label ? label.getBoundingClientRect() : box
      const height = Math.max(box.height, target.height)
      const width = Math.max(box.width, target.width)
      if (height + 0.5 < minimum || width + 0.5 < minimum) {
        const name = (element.getAttribute('aria-label') ?? element.textContent ?? element.getAttribute('name') ?? '').trim().slice(0, 40)
        found.push(`${element.tagName.toLowerCase()} "${name}" is ${Math.round(width)}×${Math.round(height)} px`)
      }
    }
    return found
  }, minimum)
}

/**
 * Things that look clickable (a pointer cursor of their own) but that a keyboard cannot reach: no focusable element
 * at or around them. An element whose action a keyboard-reachable control on the page also offers names that control
 * with `data-equivalent-control`.
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const focusable = 'a[href], button, input, select, textarea, summary, label, video, audio, [tabindex]:not([tabindex="-1"]), [contenteditable=true]'
    const found: string[] = []
    for (const element of document.body.querySelectorAll<HTMLElement>('*')) {
      const style = getComputedStyle(element)
      if (style.cursor !== 'pointer' || style.visibility === 'hidden') continue
      const box = element.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      // Only where the pointer starts: children inherit the cursor.
      if (element.parentElement && getComputedStyle(element.parentElement).cursor === 'pointer') continue
      if (element.closest(focusable) || element.querySelector(focusable)) continue
      const equivalent = element.closest('[data-equivalent-control]')?.getAttribute('data-equivalent-control')
      if (equivalent && document.querySelector(`[data-testid="${equivalent}"]`)) continue
      const name = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)
      found.push(`${element.tagName.toLowerCase()}${element.dataset.testid ? `[${element.dataset.testid}]` : ''} "${name}"`)
    }
    return found
  })
}
