// Edge Function entry point: validated settings, then the handler (see handler.ts).
import { serveFunction } from "../_shared/serve.ts";
import { createStartBatchHandler } from "./handler.ts";

serveFunction(createStartBatchHandler);
