/** The one error envelope every API error uses (DESIGN.md §5). */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  /** The request id, also sent as `X-Request-Id`. */
  requestId?: string;
}
