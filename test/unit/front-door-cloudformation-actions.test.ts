/**
 * What the front door asks IAM for each CloudFormation request: the stack ARN by name (any of its
 * ids) or by id, the condition keys CloudFormation reports, and `iam:PassRole` for a RoleARN.
 */
import { describe, expect, it } from 'vitest';
import {
  CloudFormationValidationError,
  cloudFormationIamRequests,
} from '../../local/front-door/cloudformation-request.js';
import { type ParsedRequest, UnrecognizedRequestError } from '../../local/front-door/iam-request.js';

const form = (fields: Record<string, string>): ParsedRequest => {
  const body = new URLSearchParams({ Version: '2010-05-15', ...fields }).toString();
  return {
    method: 'POST',
    rawUrl: '/',
    rawPath: '/',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(body),
  };
};
const requests = (fields: Record<string, string>) =>
  cloudFormationIamRequests(form(fields), 'us-east-1', '000000000000');
const STACK = 'arn:aws:cloudformation:us-east-1:000000000000:stack/Bulkhead-silo-acme';
const ROLE = 'arn:aws:iam::000000000000:role/SiloDeployer';

describe('CloudFormation request shapes', () => {
  it('asks CreateStack on the stack name with template URL, role and tags, and PassRole for the role', () => {
    expect(
      requests({
        Action: 'CreateStack',
        StackName: 'Bulkhead-silo-acme',
        TemplateURL: 'https://s3/silo.json',
        RoleARN: ROLE,
        'Parameters.member.1.ParameterKey': 'TenantId',
        'Parameters.member.1.ParameterValue': 'acme',
        'Tags.member.1.Key': 'TenantTier',
        'Tags.member.1.Value': 'premium',
      }),
    ).toEqual([
      {
        action: 'cloudformation:CreateStack',
        resource: `${STACK}/*`,
        context: {
          'cloudformation:RoleArn': ROLE,
          'cloudformation:TemplateUrl': 'https://s3/silo.json',
          'aws:TagKeys': ['TenantTier'],
          'aws:RequestTag/TenantTier': 'premium',
        },
      },
      {
        action: 'iam:PassRole',
        resource: ROLE,
        context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      },
    ]);
  });

  it('asks no PassRole without a RoleARN', () => {
    expect(
      requests({ Action: 'CreateStack', StackName: 'Bulkhead-silo-acme', TemplateURL: 'u' }).map(
        (r) => r.action,
      ),
    ).toEqual(['cloudformation:CreateStack']);
  });

  it('asks DescribeStacks and DeleteStack on the stack id when given one, on every stack when listing', () => {
    const id = `${STACK}/0c7e8d6a-1b2c-4d5e-8f90-123456789abc`;
    expect(requests({ Action: 'DescribeStacks', StackName: id })).toEqual([
      { action: 'cloudformation:DescribeStacks', resource: id, context: {} },
    ]);
    expect(requests({ Action: 'DescribeStacks' })).toEqual([
      {
        action: 'cloudformation:DescribeStacks',
        resource: 'arn:aws:cloudformation:us-east-1:000000000000:stack/-every-stack-/-',
        context: {},
      },
    ]);
    expect(requests({ Action: 'DeleteStack', StackName: 'Bulkhead-silo-acme' })).toEqual([
      { action: 'cloudformation:DeleteStack', resource: `${STACK}/*`, context: {} },
    ]);
  });

  it('refuses actions it does not know and malformed requests', () => {
    expect(() => requests({ Action: 'UpdateStack', StackName: 'Bulkhead-silo-acme' })).toThrow(
      UnrecognizedRequestError,
    );
    expect(() => requests({ Action: 'CreateStack', StackName: 'Bulkhead-silo-acme' })).toThrow(
      CloudFormationValidationError,
    );
    expect(() => requests({ Action: 'DeleteStack', StackName: 'no_underscores' })).toThrow(
      CloudFormationValidationError,
    );
    expect(() =>
      requests({
        Action: 'CreateStack',
        StackName: 'Bulkhead-silo-acme',
        TemplateURL: 'u',
        RoleARN: 'not-a-role',
      }),
    ).toThrow(CloudFormationValidationError);
  });
});
