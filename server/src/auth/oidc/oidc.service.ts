import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as oidc from 'openid-client';
import { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { OidcConfig } from '../../config/oidc-config.js';
import { ServerSecret } from '../../database/server-secret.entity.js';
import { loadOrCreateSecret } from '../../database/server-secret.js';
import type { SsoIdentity } from '../../users/users.service.js';
import { identityFromClaims, OidcClaimsError } from './oidc-identity.js';
import { SealedValues } from './sealed-value.js';

/** Bound on every request to the IdP (discovery, token, userinfo, device), in seconds. */
const IDP_TIMEOUT_SECONDS = 10;
/** A failed discovery is retried at the next sign-in, but not more often than this. */
const DISCOVERY_RETRY_MS = 10_000;
const SCOPE = 'openid profile email groups';

export const SEAL = { login: 'oidc-login', device: 'oidc-device', handoff: 'oidc-handoff' } as const;

/** What the login cookie carries from /login to /callback. */
export interface LoginChecks {
  state: string;
  nonce: string;
  verifier: string;
}

/**
 * The relying party: discovery from SHOAL_OIDC_ISSUER (lazy, so the server starts while the
 * IdP is down), the authorization code flow with PKCE, state and nonce, and the device
 * grant. openid-client checks every ID token (signature against the IdP's JWKS, iss, aud,
 * exp, nonce); nothing here parses a token by hand.
 */
@Injectable()
export class OidcService implements OnModuleInit {
  private readonly logger = new Logger('OIDC');
  readonly config: OidcConfig | null;
  private discovered: Promise<oidc.Configuration> | null = null;
  private discoveryFailedAt = 0;
  private sealed: SealedValues | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @InjectRepository(ServerSecret) private readonly secrets: Repository<ServerSecret>,
  ) {
    this.config = app.oidc;
  }

  async onModuleInit(): Promise<void> {
    if (this.config) this.sealed = new SealedValues(await loadOrCreateSecret(this.secrets, 'oidc-seal'));
  }

  get seals(): SealedValues {
    if (!this.sealed) throw new Error('single sign-on is not configured');
    return this.sealed;
  }

  get redirectUri(): string {
    return `${this.app.publicUrl}/api/auth/oidc/callback`;
  }

  /** The IdP's metadata, discovered once and shared; a failure is forgotten after DISCOVERY_RETRY_MS. */
  async client(): Promise<oidc.Configuration> {
    const config = this.config;
    if (!config) throw new Error('single sign-on is not configured');
    if (!this.discovered || (this.discoveryFailedAt && Date.now() - this.discoveryFailedAt > DISCOVERY_RETRY_MS)) {
      this.discoveryFailedAt = 0;
      this.discovered = oidc
        .discovery(new URL(config.issuer), config.clientId, undefined, oidc.ClientSecretBasic(config.clientSecret), {
          timeout: IDP_TIMEOUT_SECONDS,
          // openid-client by default trusts an ID token from the token endpoint on the strength
          // of TLS alone; we also verify its signature against the IdP's JWKS, so a proxy or a
          // TLS-terminating hop in between cannot hand us claims of its own.
          execute: [oidc.enableNonRepudiationChecks, ...(config.allowHttp ? [oidc.allowInsecureRequests] : [])],
        })
        .then((c) => {
          c.timeout = IDP_TIMEOUT_SECONDS;
          return c;
        })
        .catch((err: unknown) => {
          this.discoveryFailedAt = Date.now();
          this.logger.warn(`discovery at ${config.issuer} failed: ${errorText(err)}`);
          throw err;
        });
    }
    return this.discovered;
  }

  /** The IdP URL to send the browser to, and the checks the callback must see again. */
  async startLogin(): Promise<{ url: URL; checks: LoginChecks }> {
    const client = await this.client();
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: this.redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url, checks };
  }

  /** Redeems the code from the callback's query; openid-client checks state, iss, PKCE, nonce and the ID token. */
  async finishLogin(query: string, checks: LoginChecks): Promise<SsoIdentity> {
    const client = await this.client();
    const current = new URL(this.redirectUri);
    current.search = query;
    const tokens = await oidc.authorizationCodeGrant(client, current, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    return this.identity(client, tokens);
  }

  /** Null when the IdP does not offer the device authorization grant. */
  async startDevice(): Promise<oidc.DeviceAuthorizationResponse | null> {
    const client = await this.client();
    if (!client.serverMetadata().device_authorization_endpoint) return null;
    return oidc.initiateDeviceAuthorization(client, { scope: SCOPE });
  }

  /**
   * Polls the IdP for a device code until the user approves, the code expires, or
   * `holdMs` passes (then null: the CLI asks again).
   */
  async pollDevice(
    device: { device_code: string; interval: number; expires_in: number },
    holdMs: number,
  ): Promise<SsoIdentity | null> {
    const client = await this.client();
    const response = { ...device, user_code: '', verification_uri: '' } as oidc.DeviceAuthorizationResponse;
    const hold = AbortSignal.timeout(holdMs);
    let tokens;
    try {
      tokens = await oidc.pollDeviceAuthorizationGrant(client, response, undefined, { signal: hold });
    } catch (err) {
      // Our own hold ran out while the user had not yet approved: not an error.
      if (hold.aborted) return null;
      throw err;
    }
    return this.identity(client, tokens);
  }

  /** ID token claims, with userinfo filling in what the ID token left out (many IdPs put groups only there). */
  private async identity(
    client: oidc.Configuration,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  ): Promise<SsoIdentity> {
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcClaimsError('sso_bad_claims', 'the IdP returned no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (this.config && claims[this.config.groupsClaim] === undefined) {
      const info = await oidc.fetchUserInfo(client, tokens.access_token, idClaims.sub);
      // The ID token's subject and issuer stay authoritative; userinfo only adds.
      claims = { ...info, ...claims };
    }
    return identityFromClaims(this.config!, claims);
  }
}

/** An error's message for the log: never the token or code it may have been about. */
export function errorText(err: unknown): string {
  if (err instanceof OidcClaimsError) return err.message;
  if (err instanceof oidc.ResponseBodyError)
    return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof oidc.AuthorizationResponseError) return err.error;
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}
