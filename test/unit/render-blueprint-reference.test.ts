import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

// The blueprint's schema check needs Render's schema in ../shared/reference. A CI machine without it must fail the
// run, not skip the check and report green.
describe('render.yaml schema check without the reference folder', () => {
  it('fails the run, naming the folder it needs', async () => {
    const child = spawn(process.execPath, [resolve(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'unit', 'test/unit/render-blueprint.test.ts'], {
      cwd: root,
      env: { ...process.env, RENDER_REFERENCE_DIR: resolve(root, 'test/no-such-reference') },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => output += chunk.toString())
    child.stderr.on('data', (chunk: Buffer) => output += chunk.toString())
    const [code] = await once(child, 'exit') as [number | null]
    expect(output).toContain('no-such-reference')
    // Both schema tests fail; none is skipped (the summary reporter's last line counts them).
    expect(output).toMatch(/\b2 failed, 0 skipped/)
    expect(code).not.toBe(0)
  }, 60_000)
})
