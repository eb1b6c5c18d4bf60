import { BadRequestException, HttpException } from '@nestjs/common';
import busboy from 'busboy';
import type { Request } from 'express';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The metadata part is a small JSON object: name, description (4,000 characters), tags. */
const MAX_METADATA_BYTES = 64 * 1024;

export interface UploadTarget {
  /** Where the file goes, decided once the metadata is valid. */
  path: string;
}

export interface ReceivedUpload<M> {
  metadata: M;
  size: number;
}

function bad(code: string, message: string): BadRequestException {
  return new BadRequestException({ code, message });
}

function tooLarge(limit: number): HttpException {
  return new HttpException({ code: 'payload_too_large', message: `uploads are limited to ${limit} bytes` }, 413);
}

/**
 * Reads a `multipart/form-data` upload: a `metadata` field (JSON) first, checked by
 * `accept` before a byte of the file is stored, then one `file` part streamed to the
 * path `accept` returns (never held in memory, so multi-GB files work). Anything else
 * (another part, a second file, metadata after the file, more than `maxFileBytes`) is
 * refused with the reason.
 */
export function receiveUpload<M>(
  req: Request,
  maxFileBytes: number,
  accept: (raw: unknown, partFileName: string | undefined) => Promise<{ metadata: M; target: UploadTarget }>,
): Promise<ReceivedUpload<M>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return Promise.reject(
      new HttpException(
        {
          code: 'unsupported_media_type',
          message: 'send the upload as multipart/form-data: a "metadata" JSON field, then the "file"',
        },
        415,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    let metadataRaw: string | undefined;
    let sawFile = false;
    let size = 0;
    let stored: Promise<M> | undefined;
    let parser: busboy.Busboy;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      // Stop parsing; the rest of the body is read and dropped so the answer gets through.
      req.unpipe(parser);
      req.resume();
      reject(err);
    };
    try {
      parser = busboy({
        headers: req.headers,
        // busboy says `partsLimit` on reaching the limit, and `fieldsLimit`/`filesLimit` on one more.
        limits: { fields: 1, files: 1, fieldSize: MAX_METADATA_BYTES, fileSize: maxFileBytes },
      });
    } catch {
      reject(bad('validation_failed', 'malformed multipart/form-data request'));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (name !== 'metadata')
        return fail(bad('validation_failed', `unexpected field "${name}": only "metadata" and "file"`));
      if (sawFile) return fail(bad('validation_failed', 'the "metadata" field must come before the file'));
      if (info.valueTruncated)
        return fail(bad('validation_failed', `metadata is limited to ${MAX_METADATA_BYTES} bytes`));
      metadataRaw = value;
    });
    parser.on('file', (name, stream: Readable, info) => {
      sawFile = true;
      if (name !== 'file') {
        stream.resume();
        return fail(bad('validation_failed', `unexpected file part "${name}": the file goes in "file"`));
      }
      if (metadataRaw === undefined) {
        stream.resume();
        return fail(bad('validation_failed', 'the "metadata" field must come before the file'));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(metadataRaw);
      } catch {
        stream.resume();
        return fail(bad('validation_failed', 'metadata must be a JSON object'));
      }
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      stream.on('limit', () => fail(tooLarge(maxFileBytes)));
      stored = accept(parsed, info.filename).then(async ({ metadata, target }) => {
        await pipeline(stream, counter, createWriteStream(target.path, { flags: 'wx' }));
        return metadata;
      });
      stored.catch((err: unknown) => {
        stream.resume();
        fail(err);
      });
    });
    parser.on('filesLimit', () => fail(bad('validation_failed', 'one file per upload')));
    parser.on('fieldsLimit', () => fail(bad('validation_failed', 'only one "metadata" field')));
    parser.on('error', () => fail(bad('upload_incomplete', 'the upload ended early or is malformed')));
    parser.on('close', () => {
      if (settled) return;
      if (!stored) return fail(bad('validation_failed', 'file: no file in the upload'));
      stored.then(
        (metadata) => {
          if (settled) return;
          settled = true;
          resolve({ metadata, size });
        },
        () => undefined, // failed above
      );
    });
    req.on('close', () => {
      if (!req.complete) fail(bad('upload_cancelled', 'the upload was cancelled'));
    });
    req.pipe(parser);
  });
}
