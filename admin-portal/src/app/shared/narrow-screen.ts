import { BreakpointObserver } from '@angular/cdk/layout';
import { Signal, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';

/** True on a phone-sized window, where tables drop their secondary columns. */
export function narrowScreen(query = '(max-width: 599.98px)'): Signal<boolean> {
  return toSignal(
    inject(BreakpointObserver)
      .observe(query)
      .pipe(map((s) => s.matches)),
    { initialValue: false },
  );
}
