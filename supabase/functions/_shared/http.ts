// JSON responses, errors that name the field, and CORS for the admin page's browser calls.

const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
};

export function json(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "Content-Type": "application/json", ...extra },
  });
}

export interface FieldError {
  field: string;
  message: string;
}

// errorResponse: { error: { code, message, fields? } }. code is stable for programs,
// message is for people, fields name each bad input.
export function errorResponse(
  status: number,
  code: string,
  message: string,
  fields?: FieldError[],
): Response {
  return json({ error: { code, message, ...(fields ? { fields } : {}) } }, status);
}

// The one answer to an error the caller cannot fix (a database or Storage failure, a function
// that could not start): nothing in it can hold a secret; the function's log says what happened.
export function internalError(): Response {
  return errorResponse(500, "internal_error", "the request failed; the function's log says why");
}

export function preflight(req: Request): Response | null {
  return req.method === "OPTIONS" ? new Response("ok", { headers: corsHeaders }) : null;
}

// readJson: the body as JSON, or a 400 that says it is not.
export async function readJson(
  req: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await req.text();
  if (text.trim() === "") {
    return {
      ok: false,
      response: errorResponse(400, "empty_body", "request body is empty: send a JSON object", [{
        field: "body",
        message: "empty",
      }]),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      response: errorResponse(400, "invalid_json", "request body is not valid JSON", [{
        field: "body",
        message: "not valid JSON",
      }]),
    };
  }
}
