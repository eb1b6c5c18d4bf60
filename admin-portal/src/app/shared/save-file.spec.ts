import { filenameFromDisposition, saveBlob } from './save-file';

describe('filenameFromDisposition', () => {
  it('reads quoted and unquoted names', () => {
    expect(filenameFromDisposition('attachment; filename="ubuntu.iso.shoal.json"')).toBe(
      'ubuntu.iso.shoal.json',
    );
    expect(filenameFromDisposition('attachment; filename=data.shoal.json')).toBe('data.shoal.json');
  });

  it('prefers the UTF-8 form', () => {
    expect(
      filenameFromDisposition(
        `attachment; filename="x.shoal.json"; filename*=UTF-8''caf%C3%A9.shoal.json`,
      ),
    ).toBe('café.shoal.json');
  });

  it('returns null without a header', () => {
    expect(filenameFromDisposition(null)).toBeNull();
    expect(filenameFromDisposition('inline')).toBeNull();
  });
});

describe('saveBlob', () => {
  it('clicks a download link named after the file', () => {
    const created = jest.fn(() => 'blob:test');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: jest.fn() });
    const clicks: HTMLAnchorElement[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push(this);
    });

    saveBlob(new Blob(['{}']), 'a.shoal.json');

    expect(created).toHaveBeenCalled();
    expect(clicks).toHaveLength(1);
    expect(clicks[0].download).toBe('a.shoal.json');
    expect(clicks[0].href).toBe('blob:test');
    expect(document.querySelector('a[download]')).toBeNull();
  });
});
