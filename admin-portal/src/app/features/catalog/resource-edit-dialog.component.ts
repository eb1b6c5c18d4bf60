import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  AbstractControl,
  FormControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidatorFn,
  Validators,
} from '@angular/forms';
import { LIMITS } from '@shoal/contract/limits';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { ResourceDetail } from '@shoal/contract';
import { apiErrorMessage } from '../../core/http/api-error';
import { TAG_HINT, notBlank, splitTags, validTags } from '../../shared/form-rules';
import { ResourcesService } from './resources.service';

/** The typed tags as a list for `validTags` (commas or spaces between them). */
const tagsOk: ValidatorFn = (c: AbstractControl<string>) =>
  validTags(new FormControl(splitTags(c.value)));

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
          <input
            matInput
            formControlName="name"
            required
            [maxlength]="limits.maxNameLength"
            data-testid="edit-name"
          />
          @if (form.controls.name.hasError('required')) {
            <mat-error>A name is required</mat-error>
          } @else if (form.controls.name.hasError('blank')) {
            <mat-error>The name must not be only spaces</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Description</mat-label>
          <textarea
            matInput
            formControlName="description"
            rows="4"
            [maxlength]="limits.maxDescriptionLength"
          ></textarea>
          <mat-hint align="end"
            >{{ form.controls.description.value.length }} /
            {{ limits.maxDescriptionLength }}</mat-hint
          >
        </mat-form-field>
        <mat-form-field>
          <mat-label>Tags</mat-label>
          <input matInput formControlName="tags" data-testid="edit-tags" />
          <mat-hint>Separate tags with commas or spaces; up to {{ limits.maxTags }}</mat-hint>
          @if (form.controls.tags.getError('badTag'); as bad) {
            <mat-error>“{{ bad }}”: {{ tagHint }}</mat-error>
          } @else if (form.controls.tags.hasError('tooManyTags')) {
            <mat-error>At most {{ limits.maxTags }} tags</mat-error>
          }
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

  protected readonly limits = LIMITS;
  protected readonly tagHint = TAG_HINT;
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: [
      this.resource.name,
      [Validators.required, notBlank, Validators.maxLength(LIMITS.maxNameLength)],
    ],
    description: [
      this.resource.description ?? '',
      [Validators.maxLength(LIMITS.maxDescriptionLength)],
    ],
    tags: [(this.resource.tags ?? []).join(', '), [tagsOk]],
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
        tags: splitTags(v.tags),
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
