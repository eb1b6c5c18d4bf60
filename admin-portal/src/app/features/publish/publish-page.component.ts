import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  signal,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatChipInputEvent, MatChipsModule } from '@angular/material/chips';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Subscription } from 'rxjs';
import { COMMA, ENTER, SPACE } from '@angular/cdk/keycodes';
import type { ResourceDetail } from '@shoal/contract';
import { LIMITS } from '@shoal/contract/limits';
import { apiErrorMessage } from '../../core/http/api-error';
import { BytesPipe, ExactBytesPipe } from '../../shared/bytes.pipe';
import { TAG_HINT, notBlank, splitTags, validTags } from '../../shared/form-rules';
import { UploadsService } from './uploads.service';

type Phase = 'idle' | 'uploading' | 'processing' | 'done' | 'cancelled' | 'failed';

/** Admin: upload a file to the built-in seed, which hashes and publishes it. */
@Component({
  selector: 'app-publish-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCardModule,
    MatChipsModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    BytesPipe,
    ExactBytesPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './publish-page.component.html',
  styleUrl: './publish-page.component.scss',
})
export class PublishPageComponent {
  private readonly uploads = inject(UploadsService);
  private upload?: Subscription;

  /** The server's limits (contract/), shown and enforced here before anything is sent. */
  protected readonly limits = LIMITS;
  protected readonly tagHint = TAG_HINT;
  protected readonly tagSeparators = [ENTER, COMMA, SPACE] as const;

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, notBlank, Validators.maxLength(LIMITS.maxNameLength)]],
    description: ['', [Validators.maxLength(LIMITS.maxDescriptionLength)]],
    tags: [[] as string[], [validTags]],
  });

  protected readonly file = signal<File | null>(null);
  protected readonly phase = signal<Phase>('idle');
  protected readonly loaded = signal(0);
  protected readonly total = signal(0);
  protected readonly error = signal<string | null>(null);
  protected readonly published = signal<ResourceDetail | null>(null);
  protected readonly dragging = signal(false);

  protected readonly percent = computed(() =>
    this.total() > 0 ? Math.min(100, Math.floor((this.loaded() / this.total()) * 100)) : 0,
  );
  protected readonly busy = computed(
    () => this.phase() === 'uploading' || this.phase() === 'processing',
  );

  constructor() {
    // Leaving the page aborts an upload in flight.
    inject(DestroyRef).onDestroy(() => this.upload?.unsubscribe());
  }

  protected onFileInput(input: HTMLInputElement): void {
    this.choose(input.files?.[0] ?? null);
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    if (!this.busy()) this.choose(event.dataTransfer?.files?.[0] ?? null);
  }

  protected onDragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected choose(file: File | null): void {
    this.file.set(file);
    this.published.set(null);
    this.error.set(null);
    this.phase.set('idle');
    if (file && !this.form.controls.name.dirty) this.form.controls.name.setValue(file.name);
  }

  /** A tag typed and ended with Enter, a comma or a space (a pasted list becomes several). */
  protected addTags(event: MatChipInputEvent): void {
    const control = this.form.controls.tags;
    const added = splitTags(event.value, control.value);
    if (added.length) control.setValue([...control.value, ...added]);
    control.markAsTouched();
    event.chipInput.clear();
  }

  protected removeTag(tag: string): void {
    const control = this.form.controls.tags;
    control.setValue(control.value.filter((t) => t !== tag));
  }

  protected start(): void {
    const file = this.file();
    if (!file) {
      this.error.set('Choose a file to publish.');
      return;
    }
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { name, description, tags } = this.form.getRawValue();
    this.phase.set('uploading');
    this.loaded.set(0);
    this.total.set(file.size);
    this.error.set(null);
    this.published.set(null);
    this.upload = this.uploads
      .upload(file, { name: name.trim(), description: description.trim(), tags })
      .subscribe({
        next: (event) => {
          if (event.kind === 'progress') {
            this.loaded.set(event.loaded);
            this.total.set(event.total || file.size);
            // Every byte sent: the server is now hashing and publishing.
            if (event.loaded >= (event.total || file.size)) this.phase.set('processing');
          } else {
            this.published.set(event.resource);
            this.phase.set('done');
          }
        },
        error: (err: unknown) => {
          this.phase.set('failed');
          this.error.set(apiErrorMessage(err, 'The upload failed.'));
        },
      });
  }

  /** Unsubscribing aborts the request; the server discards the partial file. */
  protected cancel(): void {
    this.upload?.unsubscribe();
    this.upload = undefined;
    this.phase.set('cancelled');
  }

  protected reset(fileInput: HTMLInputElement): void {
    fileInput.value = '';
    this.form.reset({ name: '', description: '', tags: [] });
    this.choose(null);
  }
}
