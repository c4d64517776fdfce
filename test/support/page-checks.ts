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

/**
 * What makes the page, or a part of it, scroll sideways or lose its right edge: the document wider than the screen,
 * any scrolling box (the dashboard's panels among them) whose content is wider than the box, or a clipping box (a
 * card) that cuts off content wider than itself. A strip meant to be swiped sideways says so
 * with `data-scrolls-sideways`. Each finding names the outermost element that sticks out.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const describe = (element: Element) => {
      const id = element.getAttribute('data-testid') ?? element.id
      return `${element.tagName.toLowerCase()}${id ? `[${id}]` : ''}.${[...element.classList].slice(0, 3).join('.')}`
    }
    // The first descendants that reach past `right`, not their children (which stick out because they do).
    const offenders = (box: Element, right: number) => {
      const found: string[] = []
      const visit = (parent: Element) => {
        for (const child of parent.children) {
          const edge = child.getBoundingClientRect()
          if (edge.width > 0 && edge.right > right + 1) found.push(`${describe(child)} ends at ${Math.round(edge.right)} px, past ${Math.round(right)} px`)
          else visit(child)
        }
      }
      visit(box)
      return found
    }
    const problems: string[] = []
    const root = document.documentElement
    if (root.scrollWidth > root.clientWidth + 1) problems.push(...offenders(document.body, root.clientWidth))
    for (const element of document.body.querySelectorAll<HTMLElement>('*')) {
      if (element.scrollWidth <= element.clientWidth + 1 || element.clientWidth <= 1 || element.closest('[data-scrolls-sideways]')) continue
      const style = getComputedStyle(element)
      // A box that scrolls sideways, or one that cuts its content off (a card's overflow-hidden): text shortened on
      // purpose with an ellipsis is the one cut that is meant.
      if (style.overflowX === 'visible' || style.textOverflow === 'ellipsis') continue
      const box = element.getBoundingClientRect()
      const verb = style.overflowX === 'auto' || style.overflowX === 'scroll' ? 'inside' : 'cut off by'
      problems.push(...offenders(element, box.left + element.clientLeft + element.clientWidth).map(found => `${verb} ${describe(element)}: ${found}`))
    }
    return problems.length || root.scrollWidth <= root.clientWidth + 1 ? problems : [`the page is ${root.scrollWidth} px wide`]
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
      // The target is the smallest rectangle around the control and its label.
      const height = Math.max(box.bottom, target.bottom) - Math.min(box.top, target.top)
      const width = Math.max(box.right, target.right) - Math.min(box.left, target.left)
      if (height + 0.5 < minimum || width + 0.5 < minimum) {
        const labelledBy = element.getAttribute('aria-labelledby')?.split(' ').map(id => document.getElementById(id)?.textContent ?? '').join(' ')
        const name = (element.getAttribute('aria-label') || labelledBy || label?.textContent || element.textContent || element.getAttribute('role') || '').trim().slice(0, 40)
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
