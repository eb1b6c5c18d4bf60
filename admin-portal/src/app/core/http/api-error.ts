import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody } from '@shoal/contract';

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * The sentence to show for a failed call: the server's `message` (which names each field
 * at fault once: its `errors` say the same per field), or a plain description when the
 * server could not be reached.
 */
export function apiErrorMessage(err: unknown, fallback = 'Something went wrong.'): string {
  if (err instanceof HttpErrorResponse) {
    if (err.status === 0) return 'Cannot reach the server. Check your connection and try again.';
    if (isErrorBody(err.error)) return err.error.message;
    if (typeof err.error === 'string' && err.error.trim()) {
      try {
        const parsed: unknown = JSON.parse(err.error);
        if (isErrorBody(parsed)) return parsed.message;
      } catch {
        /* not JSON */
      }
    }
    return `${err.status} ${err.statusText || 'error'}`.trim();
  }
  if (err instanceof Error && err.message) return err.message;
  return fallback;
}

/** For blob responses (downloads) the error body arrives as a Blob: read it as text first. */
export async function blobErrorMessage(err: unknown): Promise<string> {
  if (err instanceof HttpErrorResponse && err.error instanceof Blob) {
    const text = await readBlobText(err.error);
    return apiErrorMessage(
      new HttpErrorResponse({
        error: text,
        status: err.status,
        statusText: err.statusText,
        url: err.url ?? undefined,
      }),
    );
  }
  return apiErrorMessage(err);
}

function readBlobText(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => resolve('');
    reader.readAsText(blob);
  });
}
