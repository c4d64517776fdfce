// Facebook Reels fail in Meta's shared vocabulary (meta-graph.ts); a Reel Facebook could not process comes back from
// the status check as `failed` with Facebook's own words, and a local refusal carries the code `bad_input`.
import { classifyMetaError } from '../meta-graph'

export const classifyFacebookError = classifyMetaError
