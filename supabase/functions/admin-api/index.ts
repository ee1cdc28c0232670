// Edge Function entry point: validated settings, then the handler (see handler.ts).
import { serveFunction } from "../_shared/serve.ts";
import { createAdminApiHandler } from "./handler.ts";

serveFunction(createAdminApiHandler);
