// What an experiment's numbers say, in words a creator reads (pure: no database). An experiment only names a winner
// when every variant has ENOUGH_POSTS posts with an outcome and one variant's posterior probability of being best is at
// least LEADER_PROBABILITY; otherwise it says what is missing: posts with numbers, or a clearer gap between the variants.
import { ENOUGH_POSTS, LEADER_PROBABILITY } from '#shared/analytics'

export interface ArmStanding {
  label: string
  /** Posts with an outcome at the workspace's horizon. */
  scored: number
  probabilityBest: number | null
}

export interface Judgement {
  status: 'leader' | 'too-thin'
  leader: string | null
  verdict: string
}

const WEEK_HOURS = 168

/** The workspace's horizon as the verdict says it: "48 h", or "7 days" for a week. */
export function horizonWords(hours: number): string {
  return hours >= WEEK_HOURS && hours % 24 === 0 ? `${hours / 24} days` : `${hours} h`
}

/**
 * A probability as a chance: "a 94% chance", "an 82% chance". Rounded down, so a near miss never reads as the threshold it missed, and
 * never "100%": thousands of draws all going one way still leave the true probability short of certain.
 */
export function chanceWords(probability: number): string {
  if (probability > 0.99) return 'a better than 99% chance'
  // The epsilon keeps 0.57 (= 56.999… × 100 in floating point) from reading as 56%.
  const percent = Math.floor(probability * 100 + 1e-9)
  return `${spokenWithVowel(percent) ? 'an' : 'a'} ${percent}% chance`
}

// "an 8%", "an 11%", "an 18%", "an 80%"…"an 89%": the numbers (below 100) said with a vowel sound first.
const spokenWithVowel = (percent: number) => percent === 8 || percent === 11 || percent === 18 || (percent >= 80 && percent <= 89)

const postCount = (count: number) => count === 0 ? 'no posts' : count === 1 ? '1 post' : `${count} posts`

function joinWords(parts: string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}

/** "B has 1 post with numbers at 48 h", or "A has 2 posts with numbers at 48 h and B has none". */
function shortfall(thin: readonly ArmStanding[], horizonHours: number): string {
  const [first, ...rest] = thin
  return joinWords([
    `${first!.label} has ${postCount(first!.scored)} with numbers at ${horizonWords(horizonHours)}`,
    ...rest.map(arm => `${arm.label} has ${arm.scored === 0 ? 'none' : arm.scored}`),
  ])
}

/** The arm most likely best; the first of equals, so the same numbers always name the same arm. */
function topArm(arms: readonly ArmStanding[]): ArmStanding {
  return arms.reduce((top, arm) => (arm.probabilityBest ?? 0) > (top.probabilityBest ?? 0) ? arm : top)
}

export function judgeExperiment(arms: readonly ArmStanding[], horizonHours: number): Judgement {
  if (arms.length < 2) throw new RangeError('An experiment compares at least two variants.')
  const thin = arms.filter(arm => arm.scored < ENOUGH_POSTS)
  if (thin.length) {
    return { status: 'too-thin', leader: null, verdict: `Too early to say: ${shortfall(thin, horizonHours)}; each variant needs ${ENOUGH_POSTS}.` }
  }
  const top = topArm(arms)
  const probability = top.probabilityBest ?? 0
  const chance = chanceWords(probability)
  if (probability >= LEADER_PROBABILITY) {
    const fewest = Math.min(...arms.map(arm => arm.scored))
    const each = arms.every(arm => arm.scored === fewest) ? `${fewest} posts each` : `at least ${fewest} posts each`
    return { status: 'leader', leader: top.label, verdict: `${top.label} is best with ${chance} (${each}).` }
  }
  return { status: 'too-thin', leader: null, verdict: `No clear winner yet: ${top.label} is ahead with ${chance} of being best; more posts will tell.` }
}
