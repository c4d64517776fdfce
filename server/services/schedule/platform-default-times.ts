// Where to start before an account has numbers of its own: published "best time to post" studies, one per platform,
// as local wall-clock times (the studies say so, or do not name a zone: we read them the same way). Reelwise applies
// them in the workspace's zone. Each entry lists the windows the source names, its best day first, at the hour each
// window starts (or a later hour inside it, when a source gives one long window). Update the source with the times.
import type { PlatformKey } from '#shared/platforms/keys'
import type { QueueSlot } from '#shared/calendar'

export interface PlatformDefaultTimes {
  /** Named in the label the page shows: "platform default (Sprout Social, 2025)". */
  source: string
  /** The page the times were read from; null when only a copy of it was seen. */
  url: string | null
  /** What the source measured, when it is not exactly this platform's short videos. */
  caveat: string | null
  slots: QueueSlot[]
}

export const platformDefaultTimes: Record<PlatformKey, PlatformDefaultTimes> = {
  // Sprout Social, "Best times to post on TikTok" (2025): Tuesdays 5 p.m., Wednesdays 2–5 p.m., Thursdays 3–5 p.m.;
  // best day Wednesday. Times "recorded globally (not by US Central Time)", i.e. local.
  tiktok: {
    source: 'Sprout Social, 2025',
    url: 'https://sproutsocial.com/insights/?p=172822',
    caveat: null,
    slots: [{ day: 3, time: '14:00' }, { day: 2, time: '17:00' }, { day: 4, time: '15:00' }, { day: 3, time: '16:00' }, { day: 4, time: '16:00' }],
  },
  // Sprout Social, "Best times to post on Facebook" (2025): Mondays and Tuesdays 9 a.m.–noon, Wednesdays 8–11 a.m. and
  // 3–5 p.m., Thursdays 8 a.m.–noon, Fridays 9–10 a.m.; best days Monday to Friday. All Facebook posts, not Reels only.
  facebook: {
    source: 'Sprout Social, 2025',
    url: 'https://sproutsocial.com/insights/?p=159401',
    caveat: 'measured on all Facebook posts, not Reels alone',
    slots: [{ day: 1, time: '09:00' }, { day: 2, time: '09:00' }, { day: 3, time: '08:00' }, { day: 4, time: '08:00' }, { day: 5, time: '09:00' }],
  },
  // Sprout Social, "Best times to post on Instagram" (2023, global): Mondays 10 a.m.–noon, Tuesdays 9 a.m.–1 p.m.,
  // Wednesdays 10 a.m.–1 p.m., Fridays 9–11 a.m.; best days Tuesday and Wednesday. All Instagram posts, not Reels only.
  // Read in a republished copy of that article; the original's address was not confirmed, so none is given.
  instagram: {
    source: 'Sprout Social, 2023',
    url: null,
    caveat: 'measured on all Instagram posts, not Reels alone',
    slots: [{ day: 2, time: '09:00' }, { day: 3, time: '10:00' }, { day: 2, time: '11:00' }, { day: 1, time: '10:00' }, { day: 5, time: '09:00' }],
  },
  // "Does posting time really matter for YouTube Shorts?", Net Influencer (2023), summarising SocialPilot, HubSpot and
  // InVideo for Shorts: Mondays noon–3 and 6–9 p.m., Tuesdays 2–4 and 6–10 p.m., Wednesdays 2–6 p.m., Thursdays 2–4
  // and 7–10 p.m., Fridays noon–1 and 6–11 p.m., Saturdays 9–11 a.m. and 3–6 p.m., Sundays 10–11 a.m. and 5 p.m.
  // A summary of studies, not a study of its own, and it names no zone; the weekday windows are used.
  youtube: {
    source: 'SocialPilot, HubSpot and InVideo, via Net Influencer, 2023',
    url: 'https://www.netinfluencer.com/does-posting-time-matter-for-youtube-shorts/',
    caveat: 'a summary of several studies of YouTube Shorts',
    slots: [{ day: 1, time: '12:00' }, { day: 2, time: '14:00' }, { day: 3, time: '14:00' }, { day: 4, time: '14:00' }, { day: 5, time: '18:00' }],
  },
}
