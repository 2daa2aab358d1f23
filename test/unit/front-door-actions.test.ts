/**
 * The IAM actions the local front door asks about for each request shape the platform's SDK
 * clients can send, as AWS's service authorization reference defines them: a weaker action than
 * AWS's would let a request through locally that the cloud refuses.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bedrockIamRequests } from '../../local/front-door/bedrock-request.js';
import { type ParsedRequest, UnrecognizedRequestError } from '../../local/front-door/iam-request.js';
import { s3IamRequests } from '../../local/front-door/s3-request.js';

function request(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders = {},
  body = '',
): ParsedRequest {
  const [rawPath = '/', query = ''] = rawUrl.split('?');
  return { method, rawUrl, rawPath, query: new URLSearchParams(query), headers, body: Buffer.from(body) };
}

const KEY = '/bucket/tenants/acme/shared/doc.md';
const actionsOf = (parsed: ParsedRequest) =>
  s3IamRequests(parsed).map(({ action, resource }) => `${action} ${resource}`);

describe('S3 request shapes', () => {
  it.each([
    ['GET object', request('GET', KEY), ['s3:GetObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md']],
    ['HEAD object', request('HEAD', KEY), ['s3:GetObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md']],
    [
      'GET object with versionId',
      request('GET', `${KEY}?versionId=v1`),
      ['s3:GetObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'HEAD object with versionId',
      request('HEAD', `${KEY}?versionId=v1`),
      ['s3:GetObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'PUT object',
      request('PUT', `${KEY}?x-id=PutObject`),
      ['s3:PutObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'PUT object with x-amz-tagging',
      request('PUT', KEY, { 'x-amz-tagging': 'a=b' }),
      [
        's3:PutObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:PutObjectTagging arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
      ],
    ],
    [
      'CopyObject',
      request('PUT', KEY, { 'x-amz-copy-source': 'bucket/tenants/acme/shared/old.md' }),
      [
        's3:PutObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:GetObject arn:aws:s3:::bucket/tenants/acme/shared/old.md',
      ],
    ],
    [
      'CopyObject from a version',
      request('PUT', KEY, { 'x-amz-copy-source': '/bucket/tenants/acme/shared/old.md?versionId=v7' }),
      [
        's3:PutObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:GetObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/old.md',
      ],
    ],
    [
      'DELETE object',
      request('DELETE', KEY),
      ['s3:DeleteObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'DELETE object version',
      request('DELETE', `${KEY}?versionId=v1`),
      ['s3:DeleteObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'DeleteObjects',
      request(
        'POST',
        '/bucket?delete',
        {},
        '<Delete><Object><Key>tenants/acme/shared/a</Key></Object></Delete>',
      ),
      ['s3:DeleteObject arn:aws:s3:::bucket/tenants/acme/shared/a'],
    ],
    [
      'DeleteObjects with a version id',
      request(
        'POST',
        '/bucket?delete',
        {},
        '<Delete><Object><Key>tenants/acme/shared/a</Key><VersionId>v1</VersionId></Object><Object><Key>tenants/acme/shared/b</Key></Object></Delete>',
      ),
      [
        's3:DeleteObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/a',
        's3:DeleteObject arn:aws:s3:::bucket/tenants/acme/shared/b',
      ],
    ],
    [
      'DeleteObjects bypassing governance retention',
      request(
        'POST',
        '/bucket?delete',
        { 'x-amz-bypass-governance-retention': 'true' },
        '<Delete><Object><Key>tenants/acme/shared/a</Key><VersionId>v1</VersionId></Object></Delete>',
      ),
      [
        's3:DeleteObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/a',
        's3:BypassGovernanceRetention arn:aws:s3:::bucket/tenants/acme/shared/a',
      ],
    ],
    [
      'ListObjectVersions',
      request('GET', '/bucket/?versions&prefix=tenants%2Facme%2F&key-marker=k&version-id-marker=v'),
      ['s3:ListBucketVersions arn:aws:s3:::bucket'],
    ],
    [
      'PUT object with Object Lock settings',
      request('PUT', KEY, {
        'x-amz-object-lock-mode': 'COMPLIANCE',
        'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00.000Z',
      }),
      [
        's3:PutObject arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:PutObjectRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
      ],
    ],
    [
      'GetObjectRetention',
      request('GET', `${KEY}?retention`),
      ['s3:GetObjectRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'GetObjectRetention of a version',
      request('GET', `${KEY}?retention&versionId=v1`),
      ['s3:GetObjectRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'PutObjectRetention of a version',
      request('PUT', `${KEY}?retention&versionId=v1`),
      ['s3:PutObjectRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md'],
    ],
    [
      'PutObjectRetention bypassing governance retention',
      request('PUT', `${KEY}?retention`, { 'x-amz-bypass-governance-retention': 'true' }),
      [
        's3:PutObjectRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:BypassGovernanceRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
      ],
    ],
    [
      'DELETE object version bypassing governance retention',
      request('DELETE', `${KEY}?versionId=v1`, { 'x-amz-bypass-governance-retention': 'true' }),
      [
        's3:DeleteObjectVersion arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
        's3:BypassGovernanceRetention arn:aws:s3:::bucket/tenants/acme/shared/doc.md',
      ],
    ],
  ])('asks about %s as AWS does', (_label, parsed, expected) => {
    expect(actionsOf(parsed)).toEqual(expected);
  });

  it.each([
    ['an ACL read', request('GET', `${KEY}?acl`)],
    ['a tagging write', request('PUT', `${KEY}?tagging`)],
    ['a versioned PUT', request('PUT', `${KEY}?versionId=v1`)],
    ['a bucket policy read', request('GET', '/bucket?policy')],
    ['a legal-hold write', request('PUT', `${KEY}?legal-hold`)],
    ['a versions listing with an ACL read', request('GET', '/bucket?versions&acl')],
    ['a retention read of a bucket', request('GET', '/bucket?retention')],
  ])('refuses %s it does not recognise (fail closed)', (_label, parsed) => {
    expect(() => s3IamRequests(parsed)).toThrow(UnrecognizedRequestError);
  });

  it('gives ListObjectVersions the listing prefix as s3:prefix, as ListObjectsV2', () => {
    const [versions] = s3IamRequests(request('GET', '/bucket?versions&prefix=tenants%2Facme%2F'));
    const [objects] = s3IamRequests(request('GET', '/bucket?list-type=2&prefix=tenants%2Facme%2F'));

    expect(versions?.context).toEqual({ 's3:prefix': 'tenants/acme/' });
    expect(objects?.context).toEqual(versions?.context);
  });
});

describe('Bedrock request shapes', () => {
  it.each([
    ['converse', 'bedrock:InvokeModel'],
    ['invoke', 'bedrock:InvokeModel'],
    ['converse-stream', 'bedrock:InvokeModelWithResponseStream'],
    ['invoke-with-response-stream', 'bedrock:InvokeModelWithResponseStream'],
  ])('asks about %s as %s on the model', (operation, action) => {
    const [iam] = bedrockIamRequests(
      request('POST', `/model/amazon.nova-lite-v1%3A0/${operation}`),
      'us-east-1',
      '123456789012',
    );

    expect(iam).toMatchObject({
      action,
      resource: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0',
    });
  });
});
