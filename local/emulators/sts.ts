/**
 * STS: AssumeRole (tags, session policy, DurationSeconds) minting real random temporary
 * credentials, and GetCallerIdentity. Whether the caller may assume the role — the role's
 * trust policy and its tag conditions — is decided by the front door before this runs.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ParsedRequest } from '../front-door/iam-request.js';
import type { CredentialRegistry, Principal } from '../front-door/principals.js';
import { stsError } from '../front-door/service-errors.js';
import { assumeRoleInput, StsValidationError, stsAction } from '../front-door/sts-request.js';
import { type EmulatorResponse, xmlEscape, xmlResponse } from './emulator-response.js';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class StsEmulator {
  constructor(
    private readonly registry: CredentialRegistry,
    private readonly knownRole: (arn: string) => boolean,
    private readonly accountId: string,
  ) {}

  handle(request: ParsedRequest, caller: Principal): EmulatorResponse {
    const requestId = randomUUID();
    try {
      return stsAction(request) === 'AssumeRole'
        ? this.assumeRole(request, requestId)
        : xmlResponse(
            200,
            `<GetCallerIdentityResponse xmlns="${NAMESPACE}"><GetCallerIdentityResult><Arn>${xmlEscape(caller.arn)}</Arn><UserId>${caller.credentials.accessKeyId}</UserId><Account>${this.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          );
    } catch (err) {
      if (err instanceof StsValidationError) return stsError(400, 'ValidationError', err.message, requestId);
      throw err;
    }
  }

  private assumeRole(request: ParsedRequest, requestId: string): EmulatorResponse {
    const input = assumeRoleInput(request);
    if (!this.knownRole(input.roleArn)) {
      return stsError(403, 'AccessDenied', `role ${input.roleArn} cannot be assumed`, requestId);
    }
    const session = this.registry.createSession({
      roleArn: input.roleArn,
      sessionName: input.sessionName,
      durationSeconds: input.durationSeconds,
      tags: input.tags,
      ...(input.policy === undefined ? {} : { sessionPolicy: JSON.parse(input.policy) }),
    });
    const { credentials } = session;
    const roleId = `AROA${createHash('sha256').update(input.roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
    return xmlResponse(
      200,
      `<AssumeRoleResponse xmlns="${NAMESPACE}"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(credentials.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(credentials.sessionToken)}</SessionToken><Expiration>${credentials.expiration.toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>${roleId}:${xmlEscape(input.sessionName)}</AssumedRoleId><Arn>${xmlEscape(session.arn)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }
}
