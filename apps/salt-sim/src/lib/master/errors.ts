/** `salt.exceptions.SaltInvocationError`: salt-api answers a bare 400 (the message is only logged). */
export class SaltInvocationError extends Error {}

/** Eauth authentication/authorization failures: salt-api answers a bare 401. */
export class EauthError extends Error {}

/** A `cherrypy.HTTPError` raised with an explicit status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? '');
  }
}

/** An unexpected exception: salt-api's only JSON error, `{"status": 500, "return": …}`. */
export class InternalError extends Error {}
