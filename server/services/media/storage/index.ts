// Picks the media store the configuration names.
import { createHmac } from 'node:crypto'
import type { ServerConfig } from '../../config/env'
import { createLocalMediaStore } from './local'
import { createS3MediaStore } from './s3'
import type { MediaStore } from './types'

export function createMediaStore(config: Pick<ServerConfig, 'storage' | 'appUrl' | 'secretKey'>): MediaStore {
  if (config.storage.driver === 's3' && config.storage.s3) return createS3MediaStore(config.storage.s3)
  // A key of its own, so a leaked media URL signature says nothing about session tokens.
  const signingKey = createHmac('sha256', config.secretKey).update('media-url-signing').digest('base64')
  return createLocalMediaStore({ root: config.storage.localDir, appUrl: config.appUrl, signingKey })
}
