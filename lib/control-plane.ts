/**
 * The control plane's own state: the tenant registry (tier, status, silo
 * placement, limits). It belongs to the platform functions, not to a tenant,
 * so it is reached with the functions' own roles and never with a tenant session.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface ControlPlaneProps {
  /**
   * What happens to the registry when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The control table: partition key `pk`, sort key `sk`. */
export class ControlPlane extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ControlPlaneProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
  }
}
