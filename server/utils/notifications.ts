import { createNotifier } from '../services/notifications/notify'

let notifier: ReturnType<typeof createNotifier> | undefined

/** The one notifier of this process: in-app rows, and mail through the product's mailer. */
export function useNotifier(): ReturnType<typeof createNotifier> {
  notifier ??= createNotifier({ db: useDb(), mailer: useMailer(), link: appLink, log: message => console.warn(message) })
  return notifier
}
