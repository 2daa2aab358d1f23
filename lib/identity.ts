/**
 * Who the users are: by default a Cognito user pool (custom:tenantId, groups
 * for the roles) with a hosted (managed) login for people — the OAuth
 * authorization-code grant with PKCE, TOTP MFA required; alternatively any
 * external OIDC issuer, whose claim names the deployment states. Either way the
 * functions only learn an issuer, an audience, a JWKS URL and the claim names,
 * and the TOKEN authorizer verifies tokens the same way in AWS and in the local
 * cloud. See docs/identity.md.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type ClaimNames, DEFAULT_CLAIM_NAMES } from '../lambdas/auth/claim-names.js';
import { ROLES } from '../lambdas/tenancy/request-context.js';
import type { HouseFunction } from './house-function.js';

/** The claim carrying the tenant id (Cognito prefixes custom attributes with `custom:`). */
export const TENANT_ATTRIBUTE = 'tenantId';

/** An external OpenID Connect issuer that replaces the user pool. */
export interface OidcIssuer {
  /** The `iss` claim value, e.g. `https://login.example.com/` (http only on loopback). */
  readonly issuer: string;
  /** The `aud` claim value tokens must carry. */
  readonly audience: string;
  /**
   * Where the issuer publishes its signing keys.
   * @default - `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUrl?: string;
}

/** The hosted login people sign in with (Cognito's managed login pages). */
export interface HostedLogin {
  /**
   * The Cognito domain prefix: `<prefix>.auth.<region>.amazoncognito.com`.
   * @default - `<stack name, lowercase>-<account id>`
   */
  readonly domainPrefix?: string;
  /** Where users may be sent back with an authorization code. */
  readonly callbackUrls: readonly string[];
  /** Where users may be sent after signing out. */
  readonly logoutUrls: readonly string[];
}

export interface IdentityProps {
  /**
   * An external OIDC issuer; when set, no user pool is created.
   * @default - a Cognito user pool
   */
  readonly oidc?: OidcIssuer;
  /**
   * Which claims of the external issuer's tokens carry the user, the tenant and the groups
   * (the user pool's tokens always carry Cognito's).
   * @default DEFAULT_CLAIM_NAMES
   */
  readonly claims?: ClaimNames;
  /**
   * The user pool's hosted login.
   * @default - callback `http://localhost:5173/callback`, logout `http://localhost:5173/`
   */
  readonly hostedLogin?: HostedLogin;
  /**
   * What happens to the user pool when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The token verifier settings every JWT-checking function receives. */
export type VerifierEnvironment = Readonly<
  Record<'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWKS_URL' | 'JWT_CLAIMS', string>
>;

/** The hosted login's redirect URLs when none are configured: a local front end's dev server. */
export const DEFAULT_HOSTED_LOGIN: HostedLogin = {
  callbackUrls: ['http://localhost:5173/callback'],
  logoutUrls: ['http://localhost:5173/'],
};

/** The identity provider and the settings needed to verify its tokens. */
export class Identity extends Construct {
  /** The Cognito user pool, unless an external issuer is used. */
  readonly userPool?: cognito.UserPool;
  /** The app client whose id is the token audience, with the user pool. */
  readonly userPoolClient?: cognito.UserPoolClient;
  /** One group per role, with the user pool. */
  readonly groups: readonly cognito.CfnUserPoolGroup[] = [];
  /** The hosted login's domain, with the user pool. */
  readonly userPoolDomain?: cognito.UserPoolDomain;
  /** `JWT_ISSUER`, `JWT_AUDIENCE`, `JWKS_URL`, `JWT_CLAIMS` for the functions. */
  readonly verifierEnvironment: VerifierEnvironment;
  /**
   * Where a browser signing people in goes: the issuer's origin (discovery), and with the user
   * pool the managed login's domain (authorize, token and logout endpoints).
   */
  readonly signInOrigins: readonly string[];

  constructor(scope: Construct, id: string, props: IdentityProps = {}) {
    super(scope, id);
    if (props.oidc) {
      const issuer = props.oidc.issuer;
      this.verifierEnvironment = {
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: props.oidc.audience,
        JWKS_URL: props.oidc.jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
        JWT_CLAIMS: JSON.stringify(props.claims ?? DEFAULT_CLAIM_NAMES),
      };
      // The settings check that the issuer is a URL. Its endpoints are assumed on the same origin.
      this.signInOrigins = [new URL(issuer).origin];
      return;
    }

    const userPool = new cognito.UserPool(this, 'UserPool', {
      // Users are created by tenant admins/operators: self sign-up could pick a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      // `Gail@x` and `gail@x` are one user (onboarding lowercases the address too). Changing this
      // replaces a pool, so it is set from the first one on (docs/identity.md).
      signInCaseSensitive: false,
      customAttributes: {
        [TENANT_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 3, maxLen: 63, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const groups = ROLES.map(
      (role) =>
        new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
          userPoolId: userPool.userPoolId,
          groupName: role,
          description: `bulkhead role ${role}`,
        }),
    );
    const hostedLogin = props.hostedLogin ?? DEFAULT_HOSTED_LOGIN;
    // A public client (a browser or CLI holds no secret): the authorization-code grant, for which
    // Cognito requires PKCE from public clients; no implicit grant, which leaks tokens in URLs.
    const client = userPool.addClient('AppClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [...hostedLogin.callbackUrls],
        logoutUrls: [...hostedLogin.logoutUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // The code lives 3 minutes (Cognito's fixed value); tokens an hour; the refresh token a
      // working day, so a browser session ends by the next morning.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // The tenant id and the e-mail are set by an administrator, never written through the app
      // client: a user who could change their e-mail could take an address a future admin will be
      // invited with (onboarding would then find it taken, or worse, theirs).
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    // Managed login (version 2): its pages carry sign-in, the first password change and TOTP
    // setup and challenge; a branding style with Cognito's own values is what switches the pages
    // on for the client.
    const domainPrefix =
      hostedLogin.domainPrefix ?? `${Stack.of(this).stackName.toLowerCase()}-${Aws.ACCOUNT_ID}`;
    this.userPoolDomain = userPool.addDomain('HostedLogin', {
      cognitoDomain: { domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    new cognito.CfnManagedLoginBranding(this, 'HostedLoginBranding', {
      userPoolId: userPool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.userPool = userPool;
    this.userPoolClient = client;

    this.groups = groups;
    // ID tokens carry `aud` (the client id), `custom:tenantId` and `cognito:groups`.
    const issuerOrigin = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const issuer = `${issuerOrigin}/${userPool.userPoolId}`;
    this.signInOrigins = [issuerOrigin, this.userPoolDomain.baseUrl()];
    this.verifierEnvironment = {
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: client.userPoolClientId,
      JWKS_URL: `${issuer}/.well-known/jwks.json`,
      JWT_CLAIMS: JSON.stringify(DEFAULT_CLAIM_NAMES),
    };
  }

  /**
   * Lets `fn` create tenants' first admins in the user pool (`USER_POOL_ID`): create a user (and
   * re-send their invitation), read one (to tell a retry from a conflict), add one to a group,
   * delete one (the user a failed onboarding created) — on this pool only. No-op with an external
   * issuer, whose users the platform cannot create.
   */
  bindTenantAdmins(fn: HouseFunction): void {
    if (this.userPool === undefined) return;
    fn.function.addEnvironment('USER_POOL_ID', this.userPool.userPoolId);
    this.userPool.grant(
      fn.role,
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminDeleteUser',
    );
    // The admin group must exist before the function can put anyone in it.
    for (const group of this.groups) fn.function.node.addDependency(group);
  }
}
