// What the dev outbox route returns (server/api/workspaces/[workspaceId]/dev-outbox.get.ts).
export interface DevMail { id: number, to: string, from: string, subject: string, text: string, kind: string, sentAt: string }
