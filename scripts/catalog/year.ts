// A year of history on top of a loaded catalog, and the nightly prune over it: a finished backfill
// each night and an admin batch each day for 365 days (written set-based: one statement for the
// batches, one for their segments, one for their counters), then audio.prune_history() as the
// nightly job runs it. Used by `scripts/bench catalog` to show the history bounded.
import type postgres from "postgres";
import { CATALOG_VOICE } from "./load.ts";

// Days of simulated history: a year.
const DAYS = 365;
// Every source row (word and kind) falls on one night's backfill (row number mod DAYS): about
// 300,000 / 365 = 820 segments a night at 100,000 words, a catalog edited steadily.
// Admin batches take the rows whose number mod this prime is the day: about 300 a day, a grade's
// worth of re-voicing now and then.
const ADMIN_MODULUS = 997;

export interface YearFigures {
  rowsBefore: number;
  rowsAfter: number;
  mbBefore: number;
  mbAfter: number;
  batchesPruned: number;
  segmentsPruned: number;
  pruneMs: number;
  keptOfPruned: number;
  // What may be left: the rows of the batches not pruned, and at most two rows per word and kind
  // of the pruned ones (its newest finished segment and the one its audio came from).
  bound: number;
}

async function segmentSize(sql: postgres.ReservedSql) {
  await sql`vacuum public.audio_segments`;
  const [r] = await sql`select (select count(*) from public.audio_segments)::int as n,
    pg_total_relation_size('public.audio_segments')::float8 / 1048576 as mb`;
  return r;
}

// One connection throughout: the scratch tables are temporary, so the session's own.
export async function simulateYear(pool: postgres.Sql): Promise<YearFigures> {
  const sql = await pool.reserve();
  try {
    return await simulate(sql);
  } finally {
    sql.release();
  }
}

async function simulate(sql: postgres.ReservedSql): Promise<YearFigures> {
  const { voice, model, format } = CATALOG_VOICE;
  await sql`create temporary table year_src as
    select row_number() over (order by s.word_id, s.kind) as n, s.word_id, s.kind, s.text, s.text_hash
    from audio.segment_sources as s`;
  await sql`create temporary table year_batches as
    select gen_random_uuid() as id, d.day, k.source
    from generate_series(1, ${DAYS}::integer) as d (day)
    cross join (values ('backfill'), ('admin')) as k (source)`;
  await sql`
    insert into public.audio_batches (id, status, source, voice_id, model_id, format, kinds, missing_only,
      created_at, started_at, finished_at)
    select y.id, 'completed_with_errors', y.source, ${voice}, ${model}, ${format},
      array['word', 'definition', 'sentence'], true, now() - make_interval(days => y.day),
      now() - make_interval(days => y.day), now() - make_interval(days => y.day) + interval '1 hour'
    from year_batches as y`;
  await sql`
    insert into public.audio_segments (batch_id, word_id, kind, text, text_hash, voice_id, model_id, format,
      status, last_error, storage_path, bytes, attempts, created_at, started_at, finished_at)
    select y.id, s.word_id, s.kind, s.text, s.text_hash, ${voice}, ${model}, ${format},
      case when s.n % 50 = 0 then 'failed' else 'done' end,
      case when s.n % 50 = 0 then 'HTTP 500: provider error' end,
      case when s.n % 50 <> 0 then ${voice} || '/' || ${model} || '/' || ${format} || '/' || s.text_hash || '.mp3' end,
      case when s.n % 50 <> 0 then 4000 end, 1,
      now() - make_interval(days => y.day), now() - make_interval(days => y.day),
      now() - make_interval(days => y.day) + interval '1 hour'
    from year_batches as y
    join year_src as s on (y.source = 'backfill' and s.n % ${DAYS} = y.day % ${DAYS})
      or (y.source = 'admin' and s.n % ${ADMIN_MODULUS} = y.day)`;
  await sql`
    update public.audio_batches as b set total = c.total, done = c.done, failed = c.failed
    from (
      select s.batch_id, count(*)::integer as total, count(*) filter (where s.status = 'done')::integer as done,
        count(*) filter (where s.status = 'failed')::integer as failed
      from public.audio_segments as s join year_batches as y on y.id = s.batch_id
      group by s.batch_id
    ) as c
    where b.id = c.batch_id`;
  await sql`analyze`;

  const before = await segmentSize(sql);
  const t0 = performance.now();
  const [pruned] = await sql`select batches, segments from audio.prune_history()`;
  const pruneMs = performance.now() - t0;
  const after = await segmentSize(sql);
  const [kept] = await sql`select count(*)::int as n from public.audio_segments as s
    join audio.pruned_batches as p on p.batch_id = s.batch_id`;
  const [bound] = await sql`select
    (select count(*) from public.audio_segments as s
      where not exists (select 1 from audio.pruned_batches as p where p.batch_id = s.batch_id))::int
    + 2 * (select count(*) from audio.segment_state)::int as n`;
  await sql`drop table year_src, year_batches`;
  return {
    rowsBefore: before.n,
    rowsAfter: after.n,
    mbBefore: before.mb,
    mbAfter: after.mb,
    batchesPruned: pruned.batches,
    segmentsPruned: pruned.segments,
    pruneMs,
    keptOfPruned: kept.n,
    bound: bound.n,
  };
}
