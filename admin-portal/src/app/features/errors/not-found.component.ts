import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';

@Component({
  selector: 'app-not-found',
  imports: [RouterLink, MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="state" role="alert">
        <mat-icon aria-hidden="true">explore_off</mat-icon>
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <a mat-flat-button routerLink="/resources">Go to resources</a>
      </div>
    </div>
  `,
})
export class NotFoundComponent {}
