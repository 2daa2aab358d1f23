/** Errors of the metering module. */

/** The price table has no entry for a model, so its cost cannot be computed or reserved. */
export class UnknownModelPriceError extends Error {
  constructor(
    readonly modelId: string,
    options?: ErrorOptions,
  ) {
    super(`no price for model ${modelId}`, options);
    this.name = 'UnknownModelPriceError';
  }
}
