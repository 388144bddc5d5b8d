import { ErrorCode, IngotError } from "@ingot/protocol";

/** Where in the source text a problem is; 1-based like editors show it. */
export interface SourceLocation {
  line: number;
  column: number;
  /** 0-based offset into the source string. */
  offset: number;
}

/**
 * `syntax`: the text is not a CEL expression Ingot can run (found at compile/sync time).
 * `evaluation`: a valid expression failed on the given data (missing field, type mismatch, …).
 */
export type ExpressionErrorKind = "syntax" | "evaluation";

/** A CEL expression that cannot be compiled or failed to evaluate. */
export class ExpressionError extends IngotError {
  override readonly name = "ExpressionError";
  override readonly code = ErrorCode.InvalidExpression;
  readonly kind: ExpressionErrorKind;
  /** The expression text as given. */
  readonly source: string;
  readonly location: SourceLocation | undefined;

  constructor(args: {
    kind: ExpressionErrorKind;
    source: string;
    message: string;
    location?: SourceLocation | undefined;
    cause?: unknown;
  }) {
    super(ErrorCode.InvalidExpression, args.message, {
      cause: args.cause,
      details: { source: args.source, location: args.location },
    });
    this.kind = args.kind;
    this.source = args.source;
    this.location = args.location;
  }
}

export const locationAt = (source: string, offset: number): SourceLocation => {
  const clamped = Math.max(0, Math.min(offset, source.length));
  const before = source.slice(0, clamped);
  const lastNewline = before.lastIndexOf("\n");
  return {
    line: before.split("\n").length,
    column: clamped - lastNewline,
    offset: clamped,
  };
};

/** "column 4" for one-line expressions (the common case), "line 2, column 4" otherwise. */
export const describeLocation = (source: string, location: SourceLocation): string =>
  source.includes("\n")
    ? `line ${location.line}, column ${location.column}`
    : `column ${location.column}`;

/** Expressions can be long (generated `if`s); keep messages readable in logs and API errors. */
export const quoteSource = (source: string): string => {
  const max = 200;
  const shown = source.length > max ? `${source.slice(0, max)}…` : source;
  return JSON.stringify(shown);
};
