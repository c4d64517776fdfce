import { buildAppOnce } from './build'

// The e2e suite drives the built app, exactly as production runs it. E2E_SKIP_BUILD=1 reuses an existing .output.
export default function setup() {
  return buildAppOnce()
}
