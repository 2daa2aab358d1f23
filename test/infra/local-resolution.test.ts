/** The local template reader on a small hand-written template (each intrinsic, names, ARNs, failures). */
import { describe, expect, it } from 'vitest';
import { asCfnTemplate } from '../../lib/template/cfn-template.js';
import {
  bindStack,
  type LocalAccount,
  physicalName,
  resolveIntrinsics,
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';

const template = asCfnTemplate({
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Resources: {
    DataTableABCD1234: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    NamedTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'explicit-name' } },
    DocsBucketEF567890: { Type: 'AWS::S3::Bucket', Properties: {} },
    VectorsAB12CD34: { Type: 'AWS::S3Vectors::VectorBucket', Properties: {} },
    KeySecret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    AppRole: {
      Type: 'AWS::IAM::Role',
      Metadata: { 'bulkhead:role': 'tenant-access' },
      Properties: {
        Policies: [
          {
            PolicyName: 'inline',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'dynamodb:GetItem',
                  Resource: { 'Fn::GetAtt': ['DataTableABCD1234', 'Arn'] },
                },
              ],
            },
          },
        ],
      },
    },
    AppRolePolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'AppRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DocsBucketEF567890', 'Arn'] }, '/*']] },
            },
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'KeySecret' } },
          ],
        },
      },
    },
    OtherRole: {
      Type: 'AWS::IAM::Role',
      Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
    },
  },
});

const ACCOUNT: LocalAccount = { accountId: '123456789012', region: 'eu-west-1', partition: 'aws' };

describe('physicalName', () => {
  it('uses the explicit name property, else the logical id (lowercased for buckets)', () => {
    expect(physicalName(template, 'NamedTable')).toBe('explicit-name');
    expect(physicalName(template, 'DataTableABCD1234')).toBe('DataTableABCD1234');
    expect(physicalName(template, 'DocsBucketEF567890')).toBe('docsbucketef567890');
  });
});

describe('bindStack', () => {
  const stackTemplate = asCfnTemplate({
    Parameters: {
      TenantId: { Type: 'String', AllowedPattern: '[a-z0-9][a-z0-9-]{1,61}[a-z0-9]' },
      Tier: { Type: 'String', Default: 'gold', AllowedValues: ['gold', 'silver'] },
    },
    Resources: {
      Table1: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: { 'Fn::Join': ['', ['Bulkhead-silo-', { Ref: 'TenantId' }]] } },
      },
      Bucket1: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: {
            'Fn::Join': [
              '-',
              ['bulkhead-silo', { Ref: 'TenantId' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }],
            ],
          },
        },
      },
      Unnamed1: { Type: 'AWS::S3::Bucket', Properties: {} },
      Key1: { Type: 'AWS::KMS::Key', Properties: {} },
    },
  });
  const stack = (
    tenantId: string,
    stackId = `arn:aws:cloudformation:eu-west-1:123456789012:stack/s-${tenantId}/1`,
  ) =>
    bindStack(stackTemplate, ACCOUNT, {
      stackName: `s-${tenantId}`,
      stackId,
      parameters: { TenantId: tenantId },
    });

  it('resolves explicit names built from parameters and pseudo parameters', () => {
    expect(physicalName(stackTemplate, 'Table1', stack('acme'))).toBe('Bulkhead-silo-acme');
    expect(physicalName(stackTemplate, 'Bucket1', stack('acme'))).toBe(
      'bulkhead-silo-acme-123456789012-eu-west-1',
    );
    expect(resourceArn(stackTemplate, 'Table1', stack('globex'))).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/Bulkhead-silo-globex',
    );
  });

  it('completes the parameters with defaults and resolves the stack pseudo parameters', () => {
    const acme = stack('acme');
    expect(acme.stack.parameters).toEqual({ TenantId: 'acme', Tier: 'gold' });
    expect(
      resolveIntrinsics(
        [{ Ref: 'Tier' }, { Ref: 'AWS::StackName' }, { Ref: 'AWS::StackId' }],
        stackTemplate,
        acme,
      ),
    ).toEqual(['gold', 's-acme', acme.stack.stackId]);
  });

  it('gives unnamed resources names unique to the stack, a key an id shaped like KMS key ids', () => {
    const first = physicalName(stackTemplate, 'Unnamed1', stack('acme', 'id-1'));
    const second = physicalName(stackTemplate, 'Unnamed1', stack('acme', 'id-2'));
    expect(first).toMatch(/^s-acme-unnamed1-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
    expect(physicalName(stackTemplate, 'Key1', stack('acme'))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('refuses missing, unknown and disallowed parameter values, naming them', () => {
    const bind = (parameters: Record<string, string>) =>
      bindStack(stackTemplate, ACCOUNT, { stackName: 's', stackId: 'id', parameters });
    expect(() => bind({})).toThrow(/\[TenantId\] must have values/);
    expect(() => bind({ TenantId: 'acme', Colour: 'red' })).toThrow(/\[Colour\] do not exist/);
    expect(() => bind({ TenantId: 'Not_A_Tenant' })).toThrow(/'TenantId' must match pattern/);
    expect(() => bind({ TenantId: 'acme', Tier: 'bronze' })).toThrow(/'Tier' must be one of AllowedValues/);
  });

  it('leaves an unbound template resolving parameters from their defaults only', () => {
    expect(() => physicalName(stackTemplate, 'Table1', ACCOUNT)).toThrow(/parameter TenantId has no value/);
  });
});

describe('resourceArn', () => {
  it('builds the service ARN in the given account', () => {
    expect(resourceArn(template, 'DataTableABCD1234', ACCOUNT)).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/DataTableABCD1234',
    );
    expect(resourceArn(template, 'DocsBucketEF567890', ACCOUNT)).toBe('arn:aws:s3:::docsbucketef567890');
    expect(resourceArn(template, 'VectorsAB12CD34', ACCOUNT)).toBe(
      'arn:aws:s3vectors:eu-west-1:123456789012:bucket/vectorsab12cd34',
    );
    expect(resourceArn(template, 'AppRole', ACCOUNT)).toBe('arn:aws:iam::123456789012:role/AppRole');
  });

  it('throws for a missing resource', () => {
    expect(() => resourceArn(template, 'Nope')).toThrow(/no resource Nope/);
  });
});

describe('resolveIntrinsics', () => {
  it('resolves Ref to names, ARNs (secrets, vector buckets), parameters and pseudo parameters', () => {
    expect(
      resolveIntrinsics(
        [
          { Ref: 'DataTableABCD1234' },
          { Ref: 'KeySecret' },
          { Ref: 'VectorsAB12CD34' },
          { Ref: 'Stage' },
          { Ref: 'AWS::Region' },
          { Ref: 'AWS::AccountId' },
        ],
        template,
        ACCOUNT,
      ),
    ).toEqual([
      'DataTableABCD1234',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:KeySecret',
      'arn:aws:s3vectors:eu-west-1:123456789012:bucket/vectorsab12cd34',
      'dev',
      'eu-west-1',
      '123456789012',
    ]);
  });

  it('resolves Fn::Join, Fn::Select over Fn::Split, and Fn::Sub with variables, attributes and escapes', () => {
    const value = {
      joined: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::Partition' }]] },
      selected: {
        'Fn::Select': [
          1,
          { 'Fn::Split': [':bucket/', { 'Fn::GetAtt': ['VectorsAB12CD34', 'VectorBucketArn'] }] },
        ],
      },
      sub: {
        'Fn::Sub': [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax.
          '${X}/${DocsBucketEF567890.Arn}/${!Literal}/${AWS::Region}',
          { X: { Ref: 'NamedTable' } },
        ],
      },
    };
    expect(resolveIntrinsics(value, template, ACCOUNT)).toEqual({
      joined: 'a-aws',
      selected: 'vectorsab12cd34',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${!Literal} escape unescaped.
      sub: 'explicit-name/arn:aws:s3:::docsbucketef567890/${Literal}/eu-west-1',
    });
  });

  it('drops AWS::NoValue and leaves literals alone', () => {
    expect(
      resolveIntrinsics({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [true, { Ref: 'AWS::NoValue' }] }, template),
    ).toEqual({
      a: 1,
      c: [true],
    });
  });

  it('names what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, template)).toThrow(
      /Fn::ImportValue is not resolvable/,
    );
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['DataTableABCD1234', 'StreamArn'] }, template)).toThrow(
      /DataTableABCD1234\.StreamArn/,
    );
  });
});

describe('rolePolicyDocuments', () => {
  it('returns the inline and the attached policies, resolved', () => {
    const documents = rolePolicyDocuments(template, 'AppRole', ACCOUNT);
    expect(
      documents.flatMap((document) => document.Statement.map((statement) => statement.Resource)),
    ).toEqual([
      'arn:aws:dynamodb:eu-west-1:123456789012:table/DataTableABCD1234',
      'arn:aws:s3:::docsbucketef567890/*',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:KeySecret',
    ]);
  });

  it('refuses roles with managed policies it cannot see', () => {
    expect(() => rolePolicyDocuments(template, 'OtherRole')).toThrow(/managed policies/);
  });
});

describe('tenantAccessRoleLogicalId', () => {
  it('finds the role marked tenant-access', () => {
    expect(tenantAccessRoleLogicalId(template)).toBe('AppRole');
  });

  it('fails when no role is marked', () => {
    expect(() => tenantAccessRoleLogicalId(asCfnTemplate({ Resources: {} }))).toThrow(/found 0/);
  });
});
