import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { EmptyState } from './empty-state';

@Component({
  imports: [EmptyState],
  template: `
    <syl-empty-state heading="No keys yet" icon="search" role="status">
      <p>Minions appear here when they first connect.</p>
      <button actions type="button">Refresh</button>
    </syl-empty-state>
  `,
})
class Host {}

describe('EmptyState', () => {
  it('should render the heading, the projected text and the actions when used by a page', async () => {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;

    expect(root.querySelector('h2')?.textContent).toBe('No keys yet');
    expect(root.querySelector('.empty__body')?.textContent).toContain('Minions appear here');
    expect(root.querySelector('.empty__actions button')?.textContent).toBe('Refresh');
    expect(root.querySelector('section')?.getAttribute('role')).toBe('status');
    expect(root.querySelectorAll('syl-icon path').length).toBeGreaterThan(0);
  });
});
