import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';

@Component({
  selector: 'app-forbidden',
  imports: [RouterLink, MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="state" role="alert" data-testid="forbidden">
        <mat-icon aria-hidden="true">lock</mat-icon>
        <h1>Admins only</h1>
        <p>This page is for administrators. Ask an admin if you need access.</p>
        <a mat-flat-button routerLink="/resources">Go to resources</a>
      </div>
    </div>
  `,
})
export class ForbiddenComponent {}
