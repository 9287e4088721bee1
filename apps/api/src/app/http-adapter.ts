import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Express on a node:http server whose requests and responses are born with Express's prototypes.
 *
 * Express re-parents every request and response with `Object.setPrototypeOf(req, app.request)`,
 * which gives each object a hidden class of its own in V8: about 1 KB of property descriptors per
 * object, held as long as the request lives (2.3 KB of every open activity stream), and
 * megamorphic property access on every request. Here the server builds them from subclasses whose
 * prototypes become `app.request` / `app.response`: Express's call then changes nothing and the
 * objects share their hidden classes, as plain node:http ones do. (Subclasses, not functions with
 * a borrowed prototype: V8 sizes a subclass's objects from the whole constructor chain, while a
 * wrapper function's objects overflow into dictionary mode.)
 */
export class SharedShapeExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    class Request extends IncomingMessage {}
    class Response extends ServerResponse<Request> {}
    Object.setPrototypeOf(Request.prototype, app.request);
    Object.setPrototypeOf(Response.prototype, app.response);
    app.request = Request.prototype as unknown as Express['request'];
    app.response = Response.prototype as unknown as Express['response'];
    this.setHttpServer(createServer({ IncomingMessage: Request, ServerResponse: Response }, app));
  }
}
