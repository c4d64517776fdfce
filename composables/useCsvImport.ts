/**
 * A CSV import dialog's state (the reference numbers, the calendar's posts): the text picked or pasted, the server's
 * preview of it (which writes nothing), then the import and its result. Opening the dialog starts afresh; changing
 * the text drops a preview that no longer matches it. `footer` is what <AppImportFooter> needs of it.
 */
export function useCsvImport<Preview, Result>(options: {
  open: Ref<boolean>
  /** The import's route: `${url}/preview` previews, `url` imports. */
  url: () => string
  maxBytes: number
  /** What the import sends beside the text (the lines it keeps). */
  choice: () => Record<string, unknown>
  imported: (result: Result) => void
}) {
  const csv = ref('')
  const preview = shallowRef<Preview>()
  const result = shallowRef<Result>()
  const tooLarge = computed(() => new Blob([csv.value]).size > options.maxBytes)

  watch(options.open, (value) => {
    if (!value) return
    csv.value = ''
    preview.value = undefined
    result.value = undefined
  })
  watch(csv, () => {
    preview.value = undefined
  })

  // Typed by the caller: the routes are named at run time, so Nitro's route types cannot say what they answer.
  const post = <Reply>(url: string, body: Record<string, unknown>) => $fetch(url, { method: 'POST', body }) as Promise<Reply>
  const { pending: checking, error: checkError, run: check } = useSubmit(async () => {
    preview.value = await post<Preview>(`${options.url()}/preview`, { csv: csv.value })
  })
  const { pending: importing, error: importError, run: commit } = useSubmit(async () => {
    const reply = await post<Result>(options.url(), { csv: csv.value, ...options.choice() })
    result.value = reply
    options.imported(reply)
  })

  const footer = computed(() => ({
    stage: result.value ? 'done' as const : preview.value ? 'preview' as const : 'pick' as const,
    canCheck: !!csv.value.trim() && !tooLarge.value,
    checking: checking.value,
    importing: importing.value,
  }))
  const error = computed(() => checkError.value ?? importError.value)

  return { csv, preview, result, tooLarge, check, commit, footer, error }
}
