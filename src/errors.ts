// Error classes shared by every part, in a module with no imports so anything can use them without cycles.

/** A mistake in how faultline was asked to run (a flag, an option, a suite field): exit code 3, no stack trace. */
export class UsageError extends Error {
  readonly exitCode = 3;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
