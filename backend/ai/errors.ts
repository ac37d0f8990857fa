/**
 * Typed errors at the LLM boundary. `retryable` tells the job queue whether trying again later can help
 * (network, timeout, 429, 5xx) or not (invalid output, a PII leak, a 4xx from the provider).
 */
export class AiError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, opts: { retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable;
  }
}

/** The provider could not be reached, timed out, or answered 429/5xx. */
export class LlmUnavailableError extends AiError {
  constructor(message: string, cause?: unknown) {
    super('llm_unavailable', message, { retryable: true, cause });
  }
}

/** The provider answered 4xx (bad key, unknown model, rejected request). */
export class LlmRequestError extends AiError {
  constructor(message: string, cause?: unknown) {
    super('llm_request_rejected', message, { retryable: false, cause });
  }
}

/** The provider answered, but not with something that validates against the capability's output schema. */
export class LlmOutputError extends AiError {
  constructor(message: string, cause?: unknown) {
    super('llm_invalid_output', message, { retryable: false, cause });
  }
}

/**
 * Text about to leave the process still contains a known PII value. Never retried: the same input would leak again.
 * The message names the kind of value, never the value itself, so logs stay clean.
 */
export class PiiLeakError extends AiError {
  readonly kinds: string[];
  constructor(kinds: string[]) {
    super('pii_leak', `Refusing to send text that still contains PII (${kinds.join(', ')})`, { retryable: false });
    this.kinds = kinds;
  }
}
