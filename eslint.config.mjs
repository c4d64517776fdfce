import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  { ignores: ['server/generated/**'] },
  // Tests read loosely typed JSON replies; `any` there keeps assertions readable.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
