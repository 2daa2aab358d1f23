/**
 * The house DynamoDB table: string `pk`/`sk`, on-demand, PITR, encrypted, and
 * deletion-protected whenever it is retained. Tenant data and the control
 * plane both use it, so their safety settings cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

export interface PkSkTableProps {
  /**
   * What happens to the table when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The attribute holding each item's expiry (epoch seconds), for DynamoDB
   * TTL; items without it never expire.
   * @default no TTL
   */
  readonly timeToLiveAttribute?: string;
}

/** A `pk`/`sk` table with the house's safe defaults. */
export class PkSkTable extends dynamodb.Table {
  constructor(scope: Construct, id: string, props: PkSkTableProps = {}) {
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    super(scope, id, {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...(props.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: props.timeToLiveAttribute }),
    });
  }
}
