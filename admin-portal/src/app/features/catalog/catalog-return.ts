import { Injectable, signal } from '@angular/core';
import type { Params } from '@angular/router';

/**
 * The catalog's last query (search, tag, sort, page), so "All resources" on a detail page
 * goes back to the list the user came from rather than to its first page.
 */
@Injectable({ providedIn: 'root' })
export class CatalogReturn {
  private readonly last = signal<Params>({});
  readonly params = this.last.asReadonly();

  remember(params: Params): void {
    this.last.set({ ...params });
  }
}
