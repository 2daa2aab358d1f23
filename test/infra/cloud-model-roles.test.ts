/**
 * Which roles the local cloud can act with: besides the functions' roles and the roles they are
 * given, CloudFormation's service roles (trusting `cloudformation.amazonaws.com`) — and no other
 * service's role.
 */
import { describe, expect, it } from 'vitest';
import { asCfnTemplate } from '../../lib/template/cfn-template.js';
import { cloudModelFromTemplate, trustsService } from '../../local/cloud-model.js';

const trust = (service: string, action: string | string[] = 'sts:AssumeRole') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Principal: { Service: service } }],
});
const permissions = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:CreateTable', Resource: '*' }],
};
const role = (trustPolicy: unknown) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: trustPolicy,
    Policies: [{ PolicyName: 'p', PolicyDocument: permissions }],
  },
});

describe('roles in the local cloud model', () => {
  it("includes CloudFormation's service roles with their policies, not other services' roles", () => {
    const model = cloudModelFromTemplate(
      asCfnTemplate({
        Resources: {
          TenantRole: {
            Type: 'AWS::IAM::Role',
            Metadata: { 'bulkhead:role': 'tenant-access' },
            Properties: {},
          },
          SiloDeployer: role(trust('cloudformation.amazonaws.com')),
          CloudWatchRole: role(trust('apigateway.amazonaws.com')),
        },
      }),
    );

    expect(model.roles.map((r) => r.arn)).toEqual([
      'arn:aws:iam::000000000000:role/TenantRole',
      'arn:aws:iam::000000000000:role/SiloDeployer',
    ]);
    expect(model.roles[1]?.policies).toEqual([permissions]);
  });

  it('reads a trust policy as AWS does: an Allow of sts:AssumeRole to that service principal', () => {
    expect(trustsService(trust('cloudformation.amazonaws.com'), 'cloudformation.amazonaws.com')).toBe(true);
    expect(
      trustsService(
        trust('cloudformation.amazonaws.com', ['sts:TagSession', 'sts:AssumeRole']),
        'cloudformation.amazonaws.com',
      ),
    ).toBe(true);
    expect(trustsService(trust('lambda.amazonaws.com'), 'cloudformation.amazonaws.com')).toBe(false);
    expect(
      trustsService(trust('cloudformation.amazonaws.com', 'sts:TagSession'), 'cloudformation.amazonaws.com'),
    ).toBe(false);
    expect(trustsService(undefined, 'cloudformation.amazonaws.com')).toBe(false);
  });
});
