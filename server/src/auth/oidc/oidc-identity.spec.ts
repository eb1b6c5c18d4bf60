import { loadOidcConfig } from '../../config/oidc-config.js';
import { identityFromClaims } from './oidc-identity.js';

const config = loadOidcConfig({
  SHOAL_OIDC_ISSUER: 'https://idp.example',
  SHOAL_OIDC_CLIENT_ID: 'shoal',
  SHOAL_OIDC_CLIENT_SECRET: 'secret',
  SHOAL_OIDC_ADMIN_GROUPS: 'shoal-admins, owners',
})!;
const base = { iss: 'https://idp.example', sub: 'u-1', preferred_username: 'Alice' };

describe('identityFromClaims', () => {
  it('makes a member of someone in no admin group, and an admin of someone in any', () => {
    expect(identityFromClaims(config, { ...base, groups: ['engineering'] })).toEqual({
      issuer: 'https://idp.example',
      subject: 'u-1',
      username: 'alice',
      role: 'member',
      groups: ['engineering'],
    });
    expect(identityFromClaims(config, { ...base, groups: ['owners', 'engineering', 'owners'] })).toMatchObject({
      role: 'admin',
      groups: ['engineering', 'owners'],
    });
    expect(identityFromClaims(config, base)).toMatchObject({ role: 'member', groups: [] });
  });

  it('reads a single group given as a string, and the configured claim only', () => {
    const custom = { ...config, groupsClaim: 'roles' };
    expect(identityFromClaims(custom, { ...base, roles: 'shoal-admins', groups: ['x'] })).toMatchObject({
      role: 'admin',
      groups: ['shoal-admins'],
    });
  });

  it('falls back to the subject as username and refuses names Shoal cannot hold', () => {
    expect(identityFromClaims(config, { iss: base.iss, sub: 'bob.smith' }).username).toBe('bob.smith');
    expect(() => identityFromClaims(config, { ...base, preferred_username: 'a b@c' })).toThrow(/not a Shoal username/);
  });

  it('refuses claims that are not what an ID token holds', () => {
    expect(() => identityFromClaims(config, { ...base, sub: undefined })).toThrow(/sub/);
    expect(() => identityFromClaims(config, { ...base, groups: [1, 2] })).toThrow(/groups/);
    expect(() =>
      identityFromClaims(config, { ...base, groups: Array.from({ length: 300 }, (_, i) => `g${i}`) }),
    ).toThrow(/groups/);
  });
});

describe('loadOidcConfig', () => {
  it('is off without an issuer and needs the client id and secret with one', () => {
    expect(loadOidcConfig({})).toBeNull();
    expect(() => loadOidcConfig({ SHOAL_OIDC_ISSUER: 'https://idp.example' })).toThrow('SHOAL_OIDC_CLIENT_ID');
    expect(() => loadOidcConfig({ SHOAL_OIDC_ISSUER: 'https://idp.example', SHOAL_OIDC_CLIENT_ID: 'x' })).toThrow(
      'SHOAL_OIDC_CLIENT_SECRET',
    );
  });

  it('takes plain http only for an issuer on loopback', () => {
    const env = { SHOAL_OIDC_CLIENT_ID: 'x', SHOAL_OIDC_CLIENT_SECRET: 'y' };
    expect(() => loadOidcConfig({ ...env, SHOAL_OIDC_ISSUER: 'http://idp.example' })).toThrow('https://');
    expect(loadOidcConfig({ ...env, SHOAL_OIDC_ISSUER: 'http://127.0.0.1:4000' })).toMatchObject({
      allowHttp: true,
      groupsClaim: 'groups',
      adminGroups: [],
      displayName: 'your identity provider',
    });
  });
});
