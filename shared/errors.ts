/** Named error codes: the CLI prints the message (never a stack trace) and exits non-zero. */
export type LookoutErrorCode =
  | "LOOKOUT_ERR_CONFIG"
  | "LOOKOUT_ERR_PORT_IN_USE"
  | "LOOKOUT_ERR_PREREQUISITE"
  | "LOOKOUT_ERR_BUILD"
  | "LOOKOUT_ERR_NOT_READY"
  | "LOOKOUT_ERR_COMPONENT_DIED"
  | "LOOKOUT_ERR_VALIDATION"
  | "LOOKOUT_ERR_USAGE"
  | "LOOKOUT_ERR_STACK"
  | "LOOKOUT_ERR_FLOW";

export class LookoutError extends Error {
  constructor(
    readonly code: LookoutErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "LookoutError";
  }
}
