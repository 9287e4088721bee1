import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { KeysDto, MeResponse } from '@sylvite/contracts';
import { aMe, AuthService } from '@sylvite/web-data-access';
import { ConfirmService } from '@sylvite/web-ui';
import { KeysPage } from './keys-page';

const KEYS: KeysDto = { accepted: ['web01', 'db01'], pending: ['web13'], rejected: [], denied: ['old01'] };

describe('KeysPage', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;
  let answer: boolean;
  let confirm: jest.Mock;

  async function render(me: MeResponse): Promise<void> {
    answer = true;
    confirm = jest.fn(async () => answer);
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'keys', component: KeysPage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { me: signal(me) } },
        { provide: ConfirmService, useValue: { confirm } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/keys');
    backend.expectOne('/api/keys').flush(KEYS);
    await harness.fixture.whenStable();
  }

  afterEach(() => backend.verify());

  const root = () => harness.routeNativeElement as HTMLElement;
  const button = (id: string, action: string) =>
    root().querySelector<HTMLButtonElement>(`tr[data-key="${id}"] button[data-action=${action}]`);
  /** A macrotask: enough for the awaited confirmation and the HTTP call behind it (whenStable would wait for the reload). */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();
  };

  it('should group keys by state and offer only the actions of each state when the user may manage keys', async () => {
    await render(aMe({ role: 'operator' }));

    expect(root().querySelector('[data-key-state=pending] h2')?.textContent).toContain('1');
    expect(button('web13', 'accept')).not.toBeNull();
    expect(button('web13', 'reject')).not.toBeNull();
    expect(button('web01', 'accept')).toBeNull();
    expect(button('web01', 'delete')).not.toBeNull();
    expect(button('old01', 'accept')).toBeNull();
    expect(button('old01', 'delete')).not.toBeNull();
  });

  it('should show no action when the user may only view keys', async () => {
    await render(aMe({ role: 'viewer' }));
    expect(root().querySelectorAll('button[data-action]')).toHaveLength(0);
  });

  it('should offer actions only on the minions the grant covers when the grant is narrow', async () => {
    await render(aMe({ permissions: ['view:key:*', 'manage:key:web*'] }));
    expect(button('web13', 'accept')).not.toBeNull();
    expect(button('db01', 'delete')).toBeNull();
  });

  it('should ask first and send nothing when the confirmation is cancelled', async () => {
    await render(aMe({ role: 'operator' }));
    answer = false;

    button('web13', 'accept')?.click();
    await settle();

    expect(confirm).toHaveBeenCalledWith(expect.objectContaining({ title: 'Accept this key?', confirmLabel: 'Accept web13' }));
    backend.expectNone('/api/keys/web13/accept');
  });

  it('should accept the key and reload the list when the confirmation is given', async () => {
    await render(aMe({ role: 'operator' }));

    button('web13', 'accept')?.click();
    await settle();

    const accept = backend.expectOne({ method: 'POST', url: '/api/keys/web13/accept' });
    accept.flush({ id: 'web13', previous_states: ['pending'], state: 'accepted' });
    await settle();
    backend.expectOne('/api/keys').flush({ ...KEYS, pending: [], accepted: [...KEYS.accepted, 'web13'] });
    await harness.fixture.whenStable();

    expect(root().querySelector('[data-key-state=accepted] tr[data-key=web13]')).not.toBeNull();
  });

  it('should delete with the DELETE verb when a denied key is deleted', async () => {
    await render(aMe({ role: 'operator' }));

    button('old01', 'delete')?.click();
    await settle();

    expect(confirm).toHaveBeenCalledWith(expect.objectContaining({ tone: 'danger' }));
    backend.expectOne({ method: 'DELETE', url: '/api/keys/old01' }).flush({ id: 'old01', previous_states: ['denied'], state: 'deleted' });
    await settle();
    backend.expectOne('/api/keys').flush(KEYS);
  });
});
