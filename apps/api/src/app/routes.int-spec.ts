import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { describePolicy, POLICY_KEY, type PolicyDeclaration } from '@sylvite/api-core';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { createTestApp } from './test-app';

/** Every route of the running app with what it declares. */
function routes(app: INestApplication): { route: string; policy: PolicyDeclaration | undefined }[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const out: { route: string; policy: PolicyDeclaration | undefined }[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    const proto = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const policy = reflector.getAllAndOverride<PolicyDeclaration>(POLICY_KEY, [handler, metatype]);
      const full = `/api/${[base, String(path)].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/');
      out.push({ route: `${method} ${full}`, policy });
    }
  }
  return out.sort((a, b) => a.route.localeCompare(b.route));
}

describe('route permission declarations', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await createTestApp(db.url));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('should declare @RequirePerm, @Authenticated or @Public on every route', () => {
    const undeclared = routes(app).filter((r) => !r.policy).map((r) => r.route);
    expect(undeclared).toEqual([]);
  });

  // A diff here changes who can reach an endpoint: review it as a permission change.
  it('should match the reviewed route → permission snapshot', () => {
    const table = routes(app).map((r) => `${r.route}  →  ${describePolicy(r.policy)}`);
    expect(table.length).toBeGreaterThan(10);
    expect(table.join('\n')).toMatchSnapshot();
  });
});
