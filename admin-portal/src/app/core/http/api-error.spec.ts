import { HttpErrorResponse } from '@angular/common/http';
import { apiErrorMessage, blobErrorMessage } from './api-error';

describe('apiErrorMessage', () => {
  it("shows the server's message", () => {
    const err = new HttpErrorResponse({
      status: 409,
      error: { statusCode: 409, code: 'conflict', message: 'A user with that name exists' },
    });
    expect(apiErrorMessage(err)).toBe('A user with that name exists');
  });

  it('says each field at fault once, as the server names it', () => {
    const err = new HttpErrorResponse({
      status: 400,
      error: {
        statusCode: 400,
        code: 'validation_failed',
        message: 'name must be shorter than or equal to 200 characters',
        errors: { name: 'name must be shorter than or equal to 200 characters' },
      },
    });
    expect(apiErrorMessage(err)).toBe('name must be shorter than or equal to 200 characters');
  });

  it('explains an unreachable server', () => {
    expect(apiErrorMessage(new HttpErrorResponse({ status: 0 }))).toMatch(
      /Cannot reach the server/,
    );
  });

  it('falls back to the status line when the body is not an error body', () => {
    expect(
      apiErrorMessage(
        new HttpErrorResponse({ status: 502, statusText: 'Bad Gateway', error: '<html>' }),
      ),
    ).toBe('502 Bad Gateway');
  });

  it('reads error bodies that arrived as a Blob (downloads)', async () => {
    const blob = new Blob([
      JSON.stringify({ statusCode: 404, code: 'not_found', message: 'Resource not found' }),
    ]);
    expect(await blobErrorMessage(new HttpErrorResponse({ status: 404, error: blob }))).toBe(
      'Resource not found',
    );
  });
});
