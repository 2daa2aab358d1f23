/**
 * The control plane's own state: the tenant registry (tier, status, silo
 * placement, limits). It belongs to the platform functions, not to a tenant,
 * so it is reached with the functions' own roles and never with a tenant session.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PkSkTable } from './pk-sk-table.js';

export interface ControlPlaneProps {
  /**
   * What happens to the registry when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The control table: partition key `pk`, sort key `sk`. */
export class ControlPlane extends Construct {
  readonly table: PkSkTable;

  constructor(scope: Construct, id: string, props: ControlPlaneProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new PkSkTable(this, 'Table', { removalPolicy });
  }
}
