import { SealedValues } from './sealed-value.js';

describe('SealedValues', () => {
  const sealed = new SealedValues('server-secret-for-the-spec');

  it('opens what it sealed, on any instance with the same secret', async () => {
    const value = await sealed.seal('oidc-login', { state: 's', nonce: 'n' }, 60);
    expect(value).not.toContain('"state"');
    await expect(new SealedValues('server-secret-for-the-spec').open('oidc-login', value)).resolves.toMatchObject({
      state: 's',
      nonce: 'n',
    });
  });

  it('refuses a value sealed for another purpose, by another secret, changed, or expired', async () => {
    const value = await sealed.seal('oidc-device', { dc: 'code' }, 60);
    await expect(sealed.open('oidc-handoff', value)).resolves.toBeNull();
    await expect(new SealedValues('another-secret').open('oidc-device', value)).resolves.toBeNull();
    const parts = value.split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0]! ^= 1;
    parts[3] = ciphertext.toString('base64url');
    await expect(sealed.open('oidc-device', parts.join('.'))).resolves.toBeNull();
    await expect(sealed.open('oidc-device', await sealed.seal('oidc-device', {}, -1))).resolves.toBeNull();
    await expect(sealed.open('oidc-device', undefined)).resolves.toBeNull();
    await expect(sealed.open('oidc-device', 'x'.repeat(5000))).resolves.toBeNull();
  });
});
