import { purposeLabel, type AiUsageDay, type AiUsageReport } from '#shared/ai'

// What the Usage chart stacks for each measure: one series per purpose for spend, the token kinds, or where calls went.

export type UsageMeasure = 'spend' | 'tokens' | 'calls'

export interface UsageSeries {
  label: string
  color: string
  value: (day: AiUsageDay) => number
}

// Mid shades that read on white and on the dark theme alike.
export const usageColors = ['#7c3aed', '#0891b2', '#d97706', '#16a34a', '#db2777', '#64748b', '#2563eb', '#b45309']

export function usageSeries(report: AiUsageReport, measure: UsageMeasure): UsageSeries[] {
  if (measure === 'tokens') {
    return [
      { label: 'Input, not cached', color: usageColors[0]!, value: day => day.inputTokens - day.cachedTokens },
      { label: 'Input from the provider\'s cache', color: usageColors[1]!, value: day => day.cachedTokens },
      { label: 'Output', color: usageColors[2]!, value: day => day.outputTokens },
    ]
  }
  if (measure === 'calls') {
    return [
      { label: 'Answered from our cache (free)', color: usageColors[3]!, value: day => day.cacheHits },
      { label: 'Sent to the provider', color: usageColors[0]!, value: day => day.calls - day.cacheHits - day.failed },
      { label: 'Failed', color: usageColors[4]!, value: day => day.failed },
    ]
  }
  return report.byPurpose.map((purpose, index) => ({
    label: purposeLabel(purpose.purpose),
    color: usageColors[index % usageColors.length]!,
    value: (day: AiUsageDay) => day.costByPurpose[purpose.purpose] ?? 0,
  }))
}

/** "30 Nov" for a YYYY-MM-DD day (a calendar day: no time zone to apply). */
export function shortDay(day: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}
