// The `/functions/v1/<name>[/<sub path>]` route: the platform's JWT check when the function's
// verify_jwt is on — an HS256 JWT of the legacy secret, all that check knows, so tokens of the
// asymmetric signing key fail it as they do on Supabase — then the function's handler with the
// original request untouched. With verify_jwt off every request passes through: the function
// verifies the caller itself.
import { bearerToken, json, preflight, redact } from "./http.ts";
import { verifyJwt } from "./keys.ts";
import { type ProjectKeys, secretsOf } from "./keyring.ts";

/** One deployed function: its fetch handler and whether the platform checks the caller's JWT. */
export interface EdgeFunction {
  handler: (req: Request) => Response | Promise<Response>;
  verifyJwt: boolean;
}

export interface FunctionsRouteOptions {
  keys: ProjectKeys;
  functions: Record<string, EdgeFunction>;
  /** Where handler failures are reported; lines are already scrubbed of JWTs and the secret. */
  log: (line: string) => void;
}

// Supabase function names: letters, digits, '-' and '_'.
const FUNCTION_NAME = /^[A-Za-z0-9_-]+$/;

/** Serves a request whose path is `/functions/v1/<rest>`. */
export async function routeFunction(
  req: Request,
  rest: string,
  opts: FunctionsRouteOptions,
): Promise<Response> {
  const name = rest.split("/")[0];
  if (req.method === "OPTIONS") return preflight();
  if (!FUNCTION_NAME.test(name) || !Object.hasOwn(opts.functions, name)) {
    return json(404, { code: "NOT_FOUND", message: "Requested function was not found" });
  }
  const fn = opts.functions[name];
  if (fn.verifyJwt) {
    const refusal = await checkJwt(req, opts.keys.jwtSecret);
    if (refusal) return refusal;
  }
  try {
    const res = await fn.handler(req);
    if (!(res instanceof Response)) throw new TypeError("handler did not return a Response");
    return res;
  } catch (err) {
    const detail = err instanceof Error
      ? (err.stack ?? `${err.name}: ${err.message}`)
      : String(err);
    opts.log(redact(`function ${name} threw: ${detail}`, secretsOf(opts.keys)));
    return json(500, {
      code: "WORKER_ERROR",
      message: `Function '${name}' threw an error; see the gateway log`,
    });
  }
}

/** null when the request carries a valid JWT, else the 401 Supabase answers with. */
async function checkJwt(req: Request, jwtSecret: string): Promise<Response | null> {
  const token = bearerToken(req);
  if (token === null) return json(401, { code: 401, message: "Missing authorization header" });
  if (token === "") return json(401, { code: 401, message: "Invalid JWT" });
  try {
    await verifyJwt(jwtSecret, token);
    return null;
  } catch {
    return json(401, { code: 401, message: "Invalid JWT" });
  }
}
