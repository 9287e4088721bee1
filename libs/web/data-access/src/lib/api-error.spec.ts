import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { parseRetryAfter, toApiError } from './api-error';

describe('toApiError', () => {
  it('should use the envelope message and Retry-After when the server throttles', () => {
    const error = new HttpErrorResponse({
      status: 429,
      error: { statusCode: 429, error: 'Too Many Requests', message: 'account locked, try again later' },
      headers: new HttpHeaders({ 'Retry-After': '120', 'X-Request-Id': 'req-1' }),
    });
    expect(toApiError(error)).toEqual({
      status: 429,
      message: 'account locked, try again later',
      retryAfterSeconds: 120,
      requestId: 'req-1',
    });
  });

  it('should join validation messages when the envelope holds a list', () => {
    const error = new HttpErrorResponse({ status: 400, error: { message: ['limit must be ≤ 500', 'bad cursor'] } });
    expect(toApiError(error).message).toBe('limit must be ≤ 500; bad cursor');
  });

  it('should explain an unreachable server when the status is 0', () => {
    expect(toApiError(new HttpErrorResponse({ status: 0 })).message).toMatch(/Cannot reach/);
  });

  it('should fall back to a generic message when a 5xx has no envelope', () => {
    expect(toApiError(new HttpErrorResponse({ status: 502, error: '<html>' })).message).toBe(
      'The server could not complete the request (502).',
    );
  });
});

describe('parseRetryAfter', () => {
  it('should read an HTTP date relative to now when the header is a date', () => {
    const now = Date.parse('2026-05-12T12:00:00Z');
    expect(parseRetryAfter('Tue, 12 May 2026 12:01:30 GMT', now)).toBe(90);
  });

  it('should return null when the header is missing or garbage', () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
