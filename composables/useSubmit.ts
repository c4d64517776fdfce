/**
 * Runs a form's action with a pending flag, and turns a failure into a message a person can act on
 * (the API's own words when it gave some). The form shows `error` with <AppFormError>.
 */
export function useSubmit<Args extends unknown[]>(action: (...args: Args) => Promise<unknown>, fallback?: string) {
  const pending = ref(false)
  const error = ref<string>()

  async function run(...args: Args) {
    pending.value = true
    error.value = undefined
    try {
      await action(...args)
    }
    catch (failure) {
      error.value = apiErrorMessage(failure, fallback)
    }
    finally {
      pending.value = false
    }
  }

  return { pending, error, run }
}
