// tus: creates an upload (POST with Upload-Length and Upload-Metadata); see server/services/library/uploads.ts.
export default defineEventHandler(handleUploadRequest)
