/**
 * Who the users are: by default a Cognito user pool (custom:tenantId, groups
 * for the roles); alternatively any external OIDC issuer. Either way the
 * functions only learn an issuer, an audience and a JWKS URL, and the TOKEN
 * authorizer verifies tokens the same way in AWS and in the local cloud.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES } from '../lambdas/tenancy/request-context.js';

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

export interface IdentityProps {
  /**
   * An external OIDC issuer; when set, no user pool is created.
   * @default - a Cognito user pool
   */
  readonly oidc?: OidcIssuer;
  /**
   * What happens to the user pool when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The token verifier settings every JWT-checking function receives. */
export type VerifierEnvironment = Readonly<Record<'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWKS_URL', string>>;

/** The identity provider and the settings needed to verify its tokens. */
export class Identity extends Construct {
  /** The Cognito user pool, unless an external issuer is used. */
  readonly userPool?: cognito.UserPool;
  /** The app client whose id is the token audience, with the user pool. */
  readonly userPoolClient?: cognito.UserPoolClient;
  /** `JWT_ISSUER`, `JWT_AUDIENCE`, `JWKS_URL` for the functions. */
  readonly verifierEnvironment: VerifierEnvironment;

  constructor(scope: Construct, id: string, props: IdentityProps = {}) {
    super(scope, id);
    if (props.oidc) {
      const issuer = props.oidc.issuer;
      this.verifierEnvironment = {
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: props.oidc.audience,
        JWKS_URL: props.oidc.jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
      };
      return;
    }

    const userPool = new cognito.UserPool(this, 'UserPool', {
      // Users are created by tenant admins/operators: self sign-up could pick a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
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
    for (const role of ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: userPool.userPoolId,
        groupName: role,
        description: `bulkhead role ${role}`,
      });
    }
    const client = userPool.addClient('AppClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // The tenant id is set by an administrator, never written through the app client.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });
    this.userPool = userPool;
    this.userPoolClient = client;

    // ID tokens carry `aud` (the client id), `custom:tenantId` and `cognito:groups`.
    const issuer = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${userPool.userPoolId}`;
    this.verifierEnvironment = {
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: client.userPoolClientId,
      JWKS_URL: `${issuer}/.well-known/jwks.json`,
    };
  }
}
