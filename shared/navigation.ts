// The sidebar, in the order of the product's loop. `built` says whether the page does its job yet:
// a section that is not built says so plainly instead of pretending.
export interface Section {
  key: string
  label: string
  icon: string
  to: string
  summary: string
  built: boolean
}

export const sections: Section[] = [
  { key: 'home', label: 'Home', icon: 'i-lucide-house', to: '/', built: true,
    summary: 'Where your loop stands: what to film next, what is scheduled and what is working.' },
  { key: 'library', label: 'Library', icon: 'i-lucide-library', to: '/library', built: true,
    summary: 'Upload reference videos and raw footage (resumable), and see each one\'s measured cuts, silences, loudness and pattern buckets.' },
  { key: 'patterns', label: 'Patterns', icon: 'i-lucide-chart-scatter', to: '/patterns', built: true,
    summary: 'Measured features (cuts, hook timing, loudness, captions) plus the AI\'s reading, each with the videos behind it, ranked by how your reference videos with it performed.' },
  { key: 'strategy', label: 'Strategy', icon: 'i-lucide-compass', to: '/strategy', built: true,
    summary: 'A content strategy from your brand profile and your best patterns: pillars, cadence, hooks and experiments, every claim with its evidence.' },
  { key: 'scripts', label: 'Scripts', icon: 'i-lucide-clapperboard', to: '/scripts', built: true,
    summary: 'Filming scripts: shot lists with timings, hook lines, on-screen text and a call to action.' },
  { key: 'studio', label: 'Studio', icon: 'i-lucide-scissors', to: '/studio', built: true,
    summary: 'FFmpeg edits that apply your patterns (reframe, silence cuts, hook text, captions) and render variations for A/B tests.' },
  { key: 'calendar', label: 'Calendar', icon: 'i-lucide-calendar-days', to: '/calendar', built: true,
    summary: 'Schedule posts across your channels; the worker publishes them on time.' },
  { key: 'analytics', label: 'Analytics', icon: 'i-lucide-chart-line', to: '/analytics', built: true,
    summary: 'Metrics pulled after publishing, normalised per account, feeding back into every pattern\'s score.' },
  { key: 'accounts', label: 'Accounts', icon: 'i-lucide-plug', to: '/accounts', built: true,
    summary: 'Connect Instagram, TikTok, YouTube and Facebook through OAuth; tokens are encrypted and refreshed for you.' },
  { key: 'settings', label: 'Settings', icon: 'i-lucide-settings', to: '/settings', built: true,
    summary: 'Workspace name, time zone and approvals; members, roles and invites; the AI provider, its budget and what it costs; the audit trail.' },
]

export function findSection(key: string): Section {
  const section = sections.find(candidate => candidate.key === key)
  if (!section) throw new Error(`Unknown section ${key}`)
  return section
}
