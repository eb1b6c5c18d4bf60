import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { ResourceDetail } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { ResourcesService } from './resources.service';

/** Tags are typed comma-separated; blanks and duplicates are dropped. */
function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/** Admin: edit a resource's name, description and tags (PATCH /api/admin/resources/:id). */
@Component({
  selector: 'app-resource-edit-dialog',
  imports: [
    ReactiveFormsModule,
    MatDialogModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Edit resource</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="dialog-form">
        @if (error(); as e) {
          <p class="form-error" role="alert">{{ e }}</p>
        }
        <mat-form-field>
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" required maxlength="255" />
          @if (form.controls.name.hasError('required')) {
            <mat-error>A name is required</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Description</mat-label>
          <textarea matInput formControlName="description" rows="4"></textarea>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Tags</mat-label>
          <input matInput formControlName="tags" />
          <mat-hint>Separate tags with commas</mat-hint>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">Save</button>
      </mat-dialog-actions>
    </form>
  `,
})
export class ResourceEditDialogComponent {
  private readonly api = inject(ResourcesService);
  private readonly ref =
    inject<MatDialogRef<ResourceEditDialogComponent, ResourceDetail>>(MatDialogRef);
  private readonly resource = inject<ResourceDetail>(MAT_DIALOG_DATA);

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: [this.resource.name, [Validators.required, Validators.maxLength(255)]],
    description: [this.resource.description ?? ''],
    tags: [(this.resource.tags ?? []).join(', ')],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected save(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.api
      .update(this.resource.id, {
        name: v.name.trim(),
        description: v.description.trim(),
        tags: parseTags(v.tags),
      })
      .subscribe({
        next: (updated) => this.ref.close(updated),
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(apiErrorMessage(err));
        },
      });
  }
}
