// zod issues → field errors a person can act on: "wordIds[3]: not a uuid".
import type { z } from "zod";
import { MAX_FIELD_ERRORS } from "./config.ts";
import type { FieldError } from "./http.ts";

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.slice(0, MAX_FIELD_ERRORS).map((issue) => {
    const field = issue.path.reduce<string>(
      (acc, part) =>
        typeof part === "number"
          ? `${acc}[${part}]`
          : acc
          ? `${acc}.${String(part)}`
          : String(part),
      "",
    );
    if (issue.code === "unrecognized_keys") {
      return {
        field: issue.keys.join(", "),
        message: `unknown field; allowed fields are listed in the docs`,
      };
    }
    return { field: field || "body", message: issue.message };
  });
}
