import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ApiTokenDto, CreatedApiTokenDto } from '@sylvite/contracts';
import { aMe, AuthService } from '@sylvite/web-data-access';
import { ConfirmService } from '@sylvite/web-ui';
import { TokensPage } from './tokens-page';

const SECRET = 'syl_abcd1234_the-secret-part-0123456789';

function aToken(overrides: Partial<ApiTokenDto> = {}): ApiTokenDto {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'ci-deploy',
    prefix: 'syl_abcd1234',
    permissions: ['view:job:*'],
    expires_at: '2026-08-10T12:00:00.000Z',
    created_at: '2026-05-12T12:00:00.000Z',
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

describe('TokensPage', () => {
  let fixture: ComponentFixture<TokensPage>;
  let backend: HttpTestingController;
  let confirm: jest.Mock;

  const root = () => fixture.nativeElement as HTMLElement;
  const el = <T extends HTMLElement>(selector: string) => root().querySelector<T>(selector);
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();
  };

  beforeEach(async () => {
    confirm = jest.fn(async () => true);
    TestBed.configureTestingModule({
      imports: [TokensPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { me: signal(aMe({ role: 'operator' })) } },
        { provide: ConfirmService, useValue: { confirm } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TokensPage);
    await settle();
    backend.expectOne('/api/tokens').flush([]);
    await fixture.whenStable();
  });

  afterEach(() => backend.verify());

  async function createToken(): Promise<void> {
    el<HTMLButtonElement>('[data-testid=token-new]')?.click();
    await fixture.whenStable();
    const name = el<HTMLInputElement>('[data-testid=token-name]');
    if (!name) throw new Error('no name field');
    name.value = 'ci-deploy';
    name.dispatchEvent(new Event('input'));
    el<HTMLInputElement>('mat-checkbox[data-permission="view:job:*"] input')?.click();
    await fixture.whenStable();
    el<HTMLButtonElement>('[data-testid=token-create]')?.click();
    await settle();
    const post = backend.expectOne({ method: 'POST', url: '/api/tokens' });
    expect(post.request.body).toEqual({ name: 'ci-deploy', permissions: ['view:job:*'], expires_in_days: 90 });
    post.flush({ ...aToken(), token: SECRET } satisfies CreatedApiTokenDto);
    await settle();
    backend.expectOne('/api/tokens').flush([aToken()]);
    await fixture.whenStable();
  }

  it('should show the secret once with a copy button when a token is created', async () => {
    await createToken();

    expect(el('[data-testid=token-secret]')?.textContent).toBe(SECRET);
    expect(el('[data-testid=token-copy]')).not.toBeNull();
    expect(el('[data-testid=tokens-table]')?.textContent).toContain('syl_abcd1234…');
    expect(el('[data-testid=tokens-table]')?.textContent).not.toContain(SECRET);
  });

  it('should forget the secret for good when it is dismissed', async () => {
    await createToken();

    el<HTMLButtonElement>('[data-testid=token-done]')?.click();
    await fixture.whenStable();

    expect(el('[data-testid=token-created]')).toBeNull();
    expect(root().textContent).not.toContain(SECRET);
  });

  it('should copy the secret to the clipboard when Copy is pressed', async () => {
    const writeText = jest.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await createToken();

    el<HTMLButtonElement>('[data-testid=token-copy]')?.click();
    await settle();
    await fixture.whenStable();

    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(el('[data-testid=token-copy]')?.textContent).toContain('Copied');
  });

  it('should refuse to create a token without any permission', async () => {
    el<HTMLButtonElement>('[data-testid=token-new]')?.click();
    await fixture.whenStable();
    const name = el<HTMLInputElement>('[data-testid=token-name]');
    if (!name) throw new Error('no name field');
    name.value = 'empty';
    name.dispatchEvent(new Event('input'));
    el<HTMLButtonElement>('[data-testid=token-create]')?.click();
    await settle();
    await fixture.whenStable();

    backend.expectNone('/api/tokens');
    expect(el('[data-testid=token-form]')?.textContent).toContain('Choose at least one permission');
  });
});
