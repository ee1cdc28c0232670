// The demo's driver: asks start-batch (as the dev admin) for every missing segment of the sample
// words (or one grade), follows the batch in the database with a live progress line, and ends
// with a summary measured in this run. Settings come from .local/stack.env (scripts/demo sets it).
import postgres from "postgres";

interface Args {
  grade: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { grade: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--grade") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v)) fail(`--grade takes a whole number, got ${argv[i] ?? "nothing"}`);
      args.grade = v;
    } else if (a.startsWith("--grade=")) {
      args.grade = Number(a.slice(8));
      if (!Number.isInteger(args.grade)) fail(`--grade takes a whole number, got ${a.slice(8)}`);
    } else {
      fail(`unknown argument ${a}; usage: scripts/demo [--grade N]`);
    }
  }
  return args;
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  Deno.exit(2);
}

function need(name: string): string {
  const v = Deno.env.get(name);
  if (!v) fail(`${name} is not set; run through scripts/demo, which starts the stack`);
  return v;
}

// Progress refresh period: often enough to feel live, cheap on the database (one query).
const TICK_MS = 250;
// The demo gives up waiting after this long without any progress (a stuck worker).
const STALL_MS = 180_000;

const args = parseArgs(Deno.args);
const supabaseUrl = need("SUPABASE_URL");
const adminJwt = need("ADMIN_JWT");
const anonKey = need("SUPABASE_ANON_KEY");
const concurrency = Number(need("AUDIO_GENERATION_CONCURRENCY"));
const storageRoot = need("STORAGE_ROOT");
const standinUrl = Deno.env.get("CARTESIA_STANDIN_URL");
const usingStandin = standinUrl !== undefined && standinUrl === Deno.env.get("CARTESIA_BASE_URL");
const sql = postgres(need("SUPABASE_DB_URL"), { max: 2, onnotice: () => {} });

async function standinRequests(): Promise<number | null> {
  if (!usingStandin) return null;
  try {
    const res = await fetch(`${standinUrl}/__standin/stats`);
    return (await res.json()).totalRequests as number;
  } catch {
    return null;
  }
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const tty = Deno.stdout.isTerminal();
const enc = new TextEncoder();
const write = (s: string) => Deno.stdout.writeSync(enc.encode(s));

try {
  const words = args.grade === null
    ? (await sql`select id from public.words order by grade, word`).map((r) => r.id as string)
    : null;
  if (words !== null && words.length === 0) fail("there are no words; the seed did not load");
  const requestsBefore = await standinRequests();
  const started = performance.now();
  const res = await fetch(`${supabaseUrl}/functions/v1/start-batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${adminJwt}`,
      apikey: anonKey,
      "content-type": "application/json",
    },
    body: JSON.stringify(args.grade === null ? { wordIds: words } : { grade: args.grade }),
  });
  const body = await res.json();
  if (!res.ok) fail(`start-batch answered ${res.status}: ${JSON.stringify(body)}`);
  const scope = args.grade === null ? `all ${words!.length} sample words` : `grade ${args.grade}`;

  if (body.batchId === null) {
    const after = await standinRequests();
    console.log(
      `Nothing missing for ${scope}: every segment already has current audio (${body.pending} already queued).`,
    );
    if (after !== null && requestsBefore !== null) {
      console.log(`Provider requests made by this run: ${after - requestsBefore}.`);
    }
    Deno.exit(0);
  }
  console.log(
    `Batch ${body.batchId}: ${body.total} segments for ${scope} (${body.queued} to generate, ${body.skipped} reused).`,
  );
  console.log(
    `Concurrency limit ${concurrency}; provider ${
      usingStandin ? `stand-in at ${standinUrl}` : Deno.env.get("CARTESIA_BASE_URL")
    }.`,
  );
  // The dev admin token rides in the URL's hash, which the browser never sends to a server.
  console.log(`Watch it live: ${supabaseUrl}/admin/#token=${adminJwt}`);

  let lastChange = performance.now();
  let lastDone = -1;
  let batch: Record<string, unknown> = {};
  while (true) {
    const [row] = await sql`
      select b.status, b.total, b.done, b.failed, b.cancelled, b.skipped,
        -- Requests at the provider: permits held under a live lease (a segment whose audio is
        -- being stored while the next request runs on its permit is no longer one of them).
        (select count(*) from audio.permits as p
         where p.holder is not null and p.expires_at >= now())::int as in_flight
      from public.audio_batches as b where b.id = ${body.batchId}`;
    batch = row;
    const elapsed = performance.now() - started;
    const finished = row.done + row.failed + row.cancelled;
    const generated = row.done - row.skipped;
    const rate = generated / (elapsed / 1000);
    const left = row.total - finished;
    const eta = rate > 0 ? `${(left / rate).toFixed(0)} s` : "?";
    const line =
      `  ${finished}/${row.total}  done ${row.done}  failed ${row.failed}  in flight ${row.in_flight}  ` +
      `${rate.toFixed(1)} seg/s  ETA ${eta}  [${fmtS(elapsed)}]`;
    if (tty) write(`\r${line.padEnd(100)}`);
    else if (
      finished !== lastDone &&
      (finished === row.total ||
        Math.floor(elapsed / 2000) !== Math.floor((elapsed - TICK_MS) / 2000))
    ) console.log(line);
    if (finished !== lastDone) {
      lastDone = finished;
      lastChange = performance.now();
    }
    if (["completed", "completed_with_errors", "cancelled"].includes(row.status as string)) break;
    if (performance.now() - lastChange > STALL_MS) {
      if (tty) write("\n");
      fail(`no progress for ${STALL_MS / 1000} s; see .local/logs/gateway.log`);
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const wallMs = performance.now() - started;
  if (tty) write("\n");

  const [m] = await sql`
    select count(*) filter (where not reused and status = 'done')::int as generated,
      avg(provider_ms) filter (where not reused and status = 'done')::float as mean_ms,
      coalesce(sum(rate_limited), 0)::int as rate_limited,
      count(*) filter (where status = 'failed')::int as failed
    from public.audio_segments where batch_id = ${body.batchId}`;
  const n = m.generated as number;
  const meanMs = (m.mean_ms as number | null) ?? 0;
  const sequentialMs = n * meanMs;
  const limitMs = sequentialMs / concurrency;
  const requestsAfter = await standinRequests();

  console.log("");
  console.log(`Summary (batch ${batch.status})`);
  console.log(
    `  segments            ${batch.total} (${n} generated, ${batch.skipped} reused, ${m.failed} failed)`,
  );
  console.log(`  wall time           ${fmtS(wallMs)}`);
  console.log(`  mean provider time  ${meanMs.toFixed(0)} ms per segment`);
  console.log(`  sequential (old)    ${fmtS(sequentialMs)}  (one request at a time: N x mean)`);
  console.log(`  limit N*L/C         ${fmtS(limitMs)}  (C = ${concurrency})`);
  console.log(
    `  efficiency          ${wallMs > 0 ? (limitMs / wallMs).toFixed(2) : "-"}  (limit / wall)`,
  );
  console.log(`  429s seen           ${m.rate_limited}`);
  if (requestsAfter !== null && requestsBefore !== null) {
    console.log(`  provider requests   ${requestsAfter - requestsBefore}`);
  }
  console.log(`  audio files         ${storageRoot}/word-audio/`);
  if (batch.status !== "completed") Deno.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
