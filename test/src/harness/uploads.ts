/**
 * Uploads to the built-in seed as the portal sends them: POST /api/admin/uploads,
 * multipart/form-data with a `metadata` JSON field first, then the `file`.
 */
import { randomBytes } from 'node:crypto';

export interface UploadMetadata {
  name: string;
  description?: string;
  tags?: string[];
  /** The file's name inside the resource. */
  filename?: string;
}

export async function uploadFile(
  serverUrl: string,
  token: string,
  metadata: UploadMetadata,
  content: Uint8Array,
): Promise<{ status: number; body: Record<string, any> }> {
  const form = new FormData();
  form.append('metadata', JSON.stringify(metadata));
  form.append('file', new Blob([new Uint8Array(content)]), metadata.filename ?? 'upload.bin');
  const res = await fetch(`${serverUrl}/api/admin/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** An upload that must succeed: the new resource's id. */
export async function uploadedId(
  serverUrl: string,
  token: string,
  metadata: UploadMetadata,
  content: Uint8Array,
): Promise<string> {
  const up = await uploadFile(serverUrl, token, metadata, content);
  if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(up.body)}`);
  return up.body.id as string;
}

/**
 * The framing around a file of `fileSize` bytes, for a raw request that writes the file
 * itself (and may stop half-way): write `head`, the bytes, then `tail`.
 */
export function multipartFrame(
  metadata: UploadMetadata,
  fileSize: number,
): { contentType: string; contentLength: number; head: Buffer; tail: Buffer } {
  const boundary = `shoal-test-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${metadata.filename ?? 'upload.bin'}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + fileSize + tail.length,
    head,
    tail,
  };
}
