/**
 * A start-up failure the operator can act on. Its message is one line that says what is
 * wrong and what to do; `npm start` prints it and exits non-zero, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
