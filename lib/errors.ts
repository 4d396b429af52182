/** A setting whose value is not allowed. */
export class DataTierValidationError extends Error {
  constructor(
    /** Construct path or config path of the object holding the setting; may be empty. */
    readonly path: string,
    /** Name of the setting. */
    readonly prop: string,
    /** The refused value. */
    readonly value: unknown,
    /** What is allowed, and what to change. */
    readonly allowed: string,
  ) {
    super(`${path ? `${path}: ` : ''}invalid ${prop} = ${JSON.stringify(value)}: ${allowed}`);
    this.name = 'DataTierValidationError';
  }
}
