// tus: HEAD asks how much has arrived, PATCH sends more from there, DELETE cancels; see server/services/library/uploads.ts.
export default defineEventHandler(handleUploadRequest)
