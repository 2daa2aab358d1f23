/** Runs a house function on a fixed rate (EventBridge), without retries: each run redoes what is left. */
import type { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { HouseFunction } from './house-function.js';

export function runEvery(
  scope: Construct,
  id: string,
  rate: Duration,
  fn: HouseFunction,
  description: string,
): events.Rule {
  return new events.Rule(scope, id, {
    description,
    schedule: events.Schedule.rate(rate),
    targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 0 })],
  });
}
