// The app's /media route as a platform sees it, for tests and benches that run the posts jobs without the app: a
// local media store whose signed URLs point here, each checked (signature, expiry) before its bytes are served.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalMediaStore, type LocalMediaStore } from '../../server/services/media/storage/local'

export interface SignedMediaServer {
  store: LocalMediaStore
  url: string
  close: () => Promise<void>
}

export async function startSignedMediaServer(root: string, signingKey = 'signed-media-test'): Promise<SignedMediaServer> {
  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://media')
    const key = decodeURIComponent(url.pathname.replace(/^\/media\//, ''))
    if (!store.verifySignature(key, Number(url.searchParams.get('expires')), url.searchParams.get('signature') ?? '')) return void response.writeHead(403).end()
    store.get(key).then((object) => {
      response.writeHead(200, { 'content-type': object.contentType, 'content-length': object.contentLength })
      object.body.pipe(response)
    }, () => response.writeHead(404).end())
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const store = createLocalMediaStore({ root, appUrl: url, signingKey })
  return {
    store,
    url,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections()
      server.close(() => done())
    }),
  }
}
