// When to post on an account: its queue ("add to queue" fills these weekly slots in order) and the best times to post,
// both in the workspace's zone. Shared by the routes and the Calendar pages.
import type { QueueSlot } from './calendar'

export interface QueueView {
  slots: QueueSlot[]
  /** The next free slot instants (UTC ISO), soonest first; fewer than asked when the weeks ahead are full. */
  next: string[]
}

export interface BestTimeSlot {
  /** ISO weekday, Monday is 1. */
  day: number
  /** The wall-clock hour in the workspace's zone, `HH:mm`. */
  time: string
  /**
   * From the account's own posts: how much better than its typical post this hour did, in log views, shrunk toward 0
   * when few posts were published then (0.7 ≈ twice the views). From platform defaults: 0, since nothing was measured.
   */
  score: number
}

export interface BestTimes {
  basis: 'own' | 'default'
  /** Always says the basis: "from your 23 posts", or "platform default (Sprout Social, 2025)". */
  label: string
  /** The account's published posts with numbers 24–72 h after publishing (what "own" rests on). */
  posts: number
  /** A default's reading (how it was applied, what it measured, how far the account is from its own); own: no hour stands out. */
  note: string | null
  /** The workspace's zone the times are in. */
  zone: string
  slots: BestTimeSlot[]
}
