import { Pipe, PipeTransform } from '@angular/core';
import { exactBytes, formatBytes } from './format-bytes';

@Pipe({ name: 'bytes' })
export class BytesPipe implements PipeTransform {
  transform(value: number | null | undefined): string {
    return formatBytes(value);
  }
}

@Pipe({ name: 'exactBytes' })
export class ExactBytesPipe implements PipeTransform {
  transform(value: number | null | undefined): string {
    return exactBytes(value);
  }
}
