/**
 * A local cloud of the bench's own with its front door in measurement mode: every AWS call the
 * functions make is counted by service, and — while `measuringUnits` is on — every DynamoDB call's
 * read and write units summed (local/front-door/dynamodb-units.ts), so a route's cost is the
 * difference of two readings.
 */
import type { DynamoDbUnits, DynamoDbUnitsListener } from '../local/front-door/dynamodb-units.js';
import { type LocalCloud, startLocalCloud } from '../local/local-cloud.js';

/** What the front door has seen so far (or between two readings). */
export interface MeterReading {
  readonly awsCalls: number;
  readonly readUnits: number;
  readonly writeUnits: number;
}

/** Counts at the front door. */
export class FrontDoorMeter implements DynamoDbUnitsListener {
  /** Measuring units adds reads around every transaction: switch it off while timing requests. */
  measuringUnits = true;
  #reading: MeterReading = { awsCalls: 0, readUnits: 0, writeUnits: 0 };
  readonly #callsByService = new Map<string, number>();

  countCall(service: string): void {
    this.#reading = { ...this.#reading, awsCalls: this.#reading.awsCalls + 1 };
    this.#callsByService.set(service, (this.#callsByService.get(service) ?? 0) + 1);
  }

  measuring(): boolean {
    return this.measuringUnits;
  }

  report(units: DynamoDbUnits): void {
    this.#reading = {
      ...this.#reading,
      readUnits: this.#reading.readUnits + units.read,
      writeUnits: this.#reading.writeUnits + units.write,
    };
  }

  reading(): MeterReading {
    return this.#reading;
  }

  /** What was counted since `before`. */
  since(before: MeterReading): MeterReading {
    return {
      awsCalls: this.#reading.awsCalls - before.awsCalls,
      readUnits: this.#reading.readUnits - before.readUnits,
      writeUnits: this.#reading.writeUnits - before.writeUnits,
    };
  }

  callsByService(): Record<string, number> {
    return Object.fromEntries(this.#callsByService);
  }
}

export interface MeteredCloud {
  readonly cloud: LocalCloud;
  readonly meter: FrontDoorMeter;
}

/** Starts a local cloud (functions' logs kept off the console) whose front door reports to a meter. */
export async function startMeteredCloud(): Promise<MeteredCloud> {
  const meter = new FrontDoorMeter();
  const cloud = await startLocalCloud({
    echoFunctionLogs: false,
    onAwsCall: (service) => meter.countCall(service),
    dynamoDbUnits: meter,
  });
  return { cloud, meter };
}
