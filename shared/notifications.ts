/** A member's notification as the app shows it (server/services/notifications). */
export interface NotificationView { id: string, kind: string, groupId: string | null, title: string, body: string, read: boolean, createdAt: string }
