// CLI for the Cartesia stand-in: settings from CARTESIA_STANDIN_* variables (see settings.ts),
// one line on stdout once listening, a clean stop on SIGTERM or SIGINT. Exit 2 on bad settings.
//
//   deno run --allow-net=127.0.0.1 --allow-env --allow-run=lame local/cartesia/main.ts

import { type CartesiaStandinOptions, startCartesiaStandin } from "./server.ts";
import { standinOptionsFromEnv } from "./settings.ts";

/** Exit code for a configuration error, distinct from a crash (1). */
const EXIT_BAD_SETTINGS = 2;

async function main(): Promise<void> {
  let options: CartesiaStandinOptions;
  try {
    options = standinOptionsFromEnv(Deno.env.toObject());
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(EXIT_BAD_SETTINGS);
  }
  const standin = await startCartesiaStandin(options);
  console.log(`cartesia stand-in listening on ${standin.url}`);

  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await stopped.promise;
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGINT", stop);
  await standin.close();
}

if (import.meta.main) await main();
