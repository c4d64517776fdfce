import type { Reporter, SerializedError, TestModule } from 'vitest/node'

// Prints one closing line a CI log reader understands ("N passed, N failed"), with a line per project before it,
// so the log shows that the integration suite ran on both databases.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>) {
    const byProject = new Map<string, { passed: number, failed: number, skipped: number }>()
    for (const module of modules) {
      const counts = byProject.get(module.project.name) ?? { passed: 0, failed: 0, skipped: 0 }
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') counts.passed++
        else if (state === 'failed') counts.failed++
        else counts.skipped++
      }
      // A module that failed to load has no tests but must count as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) counts.failed++
      byProject.set(module.project.name, counts)
    }
    const total = { passed: 0, failed: 0, skipped: 0 }
    // The slowest files first: CI must stay under 30 minutes, and this says where the time goes.
    const slowest = [...modules].map(module => ({ name: `${module.project.name} ${module.moduleId.replace(/^.*\/test\//, 'test/')}`, ms: module.diagnostic().duration }))
      .sort((first, second) => second.ms - first.ms).slice(0, 25)
    console.log('\n  slowest files:')
    for (const file of slowest) console.log(`  ${(file.ms / 1000).toFixed(1).padStart(7)} s  ${file.name}`)
    console.log('')
    for (const [name, counts] of [...byProject].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`  ${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`)
      total.passed += counts.passed
      total.failed += counts.failed
      total.skipped += counts.skipped
    }
    // An error outside any test (a setup that threw, say) fails the run too.
    total.failed += unhandledErrors.length
    if (unhandledErrors.length > 0) console.log(`  errors outside tests: ${unhandledErrors.length}`)
    console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
  }
}
