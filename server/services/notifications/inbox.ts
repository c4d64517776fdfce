// A member's notifications in a workspace: only their own, only that workspace's.
import type { NotificationView } from '#shared/notifications'
import type { PrismaClient } from '../../generated/prisma/client'

export async function listNotifications(db: PrismaClient, workspaceId: string, userId: string): Promise<{ notifications: NotificationView[], unread: number }> {
  const [rows, unread] = await Promise.all([
    db.notification.findMany({ where: { workspaceId, userId }, orderBy: { createdAt: 'desc' }, take: 50 }),
    db.notification.count({ where: { workspaceId, userId, readAt: null } }),
  ])
  return {
    notifications: rows.map(row => ({ id: row.id, kind: row.kind, groupId: row.groupId, title: row.title, body: row.body, read: !!row.readAt, createdAt: row.createdAt.toISOString() })),
    unread,
  }
}

export async function markNotificationsRead(db: PrismaClient, workspaceId: string, userId: string, ids?: string[]): Promise<{ marked: number }> {
  const { count } = await db.notification.updateMany({ where: { workspaceId, userId, readAt: null, ...(ids ? { id: { in: ids } } : {}) }, data: { readAt: new Date() } })
  return { marked: count }
}
