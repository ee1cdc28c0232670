// Checks supabase/seed.sql without a database: a small SQL value parser reads every
// `insert into public.words ... values (...), (...) on conflict (id) do nothing;` statement and
// the tests assert the vocabulary is large, spread over grades, free of duplicates, each example
// sentence uses its word, and every id is derived from the word it belongs to (idempotent seed).

import assert from "node:assert/strict";

const SEED_URL = new URL("../../supabase/seed.sql", import.meta.url);

// The brief asks for 330+ entries; 300 is the floor the seed must never drop below.
const MIN_ENTRIES = 300;
// Grades 1-8 exist; at least 6 distinct grades keeps the sample app's grade filter meaningful.
const MIN_GRADES = 6;
const GRADE_RANGE = { min: 1, max: 8 };
// Spoken segments stay short: ~20 words for a definition, ~22 for an example (brief's limits).
const MAX_DEFINITION_WORDS = 20;
const MAX_EXAMPLE_WORDS = 22;
const COLUMNS = ["id", "word", "definition", "example_sentence", "grade"];

interface SeedEntry {
  idExpr: string;
  word: string;
  definition: string;
  example: string;
  grade: number;
}

/** Splits SQL text into statements on `;` outside quotes, dropping `--` comments. */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let inQuote = false;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (inQuote) {
      current += ch;
      if (ch === "'") {
        if (sql[i + 1] === "'") {
          current += "'";
          i++;
        } else {
          inQuote = false;
        }
      }
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      current += "\n";
    } else if (ch === ";") {
      if (current.trim()) statements.push(current.trim());
      current = "";
    } else {
      if (ch === "'") inQuote = true;
      current += ch;
    }
  }
  assert.equal(inQuote, false, "seed.sql: unterminated string literal (check the quotes)");
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** Reads `( a, b, ... ), ( ... )` from the text after `values`; returns the raw fields. */
function parseTuples(text: string): { tuples: string[][]; rest: string } {
  const tuples: string[][] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (let guard = 0; guard < text.length; guard++) {
    skipSpace();
    if (text[i] !== "(") break;
    i++;
    const fields: string[] = [];
    let field = "";
    let depth = 0;
    let inQuote = false;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (inQuote) {
        field += ch;
        if (ch === "'") {
          if (text[i + 1] === "'") {
            field += "'";
            i++;
          } else inQuote = false;
        }
        continue;
      }
      if (ch === "'") inQuote = true;
      if (ch === "(") depth++;
      if (ch === ")" && depth === 0) break;
      if (ch === ")") depth--;
      if (ch === "," && depth === 0) {
        fields.push(field.trim());
        field = "";
        continue;
      }
      field += ch;
    }
    assert.equal(text[i], ")", `tuple ${tuples.length + 1}: missing closing parenthesis`);
    i++;
    fields.push(field.trim());
    tuples.push(fields);
    skipSpace();
    if (text[i] !== ",") break;
    i++;
  }
  return { tuples, rest: text.slice(i).trim() };
}

/** `'it''s'` -> `it's`; throws naming the field when the value is not one string literal. */
function unquote(raw: string, label: string): string {
  assert.match(raw, /^'(?:[^']|'')*'$/, `${label}: expected one SQL string literal, got ${raw}`);
  return raw.slice(1, -1).replaceAll("''", "'");
}

/** Parses every words insert in the seed into entries (fails naming the statement on bad shape). */
function parseSeed(sql: string): { entries: SeedEntry[]; tails: string[] } {
  const entries: SeedEntry[] = [];
  const tails: string[] = [];
  for (const statement of splitStatements(sql)) {
    const head = statement.match(/^insert\s+into\s+public\.words\s*\(([^)]*)\)\s*values\s*/i);
    if (!head) continue;
    const columns = head[1].split(",").map((c) => c.trim());
    assert.deepEqual(columns, COLUMNS, "insert column list: use (" + COLUMNS.join(", ") + ")");
    const { tuples, rest } = parseTuples(statement.slice(head[0].length));
    tails.push(rest);
    for (const [n, fields] of tuples.entries()) {
      const label = `tuple ${n + 1} (${fields[1] ?? "?"})`;
      assert.equal(fields.length, COLUMNS.length, `${label}: expected ${COLUMNS.length} values`);
      assert.match(fields[4], /^\d+$/, `${label}: grade must be an integer literal`);
      entries.push({
        idExpr: fields[0],
        word: unquote(fields[1], `${label}.word`),
        definition: unquote(fields[2], `${label}.definition`),
        example: unquote(fields[3], `${label}.example_sentence`),
        grade: Number(fields[4]),
      });
    }
  }
  return { entries, tails };
}

/** The forms of a word the example may use: word, +s/es/ed/ing/d, y->ies/ied, e-dropping +ing. */
function inflections(word: string): string[] {
  const w = word.toLowerCase();
  const forms = [w, `${w}s`, `${w}es`, `${w}ed`, `${w}ing`, `${w}d`];
  if (w.endsWith("y")) forms.push(`${w.slice(0, -1)}ies`, `${w.slice(0, -1)}ied`);
  if (w.endsWith("e")) forms.push(`${w.slice(0, -1)}ing`);
  return forms;
}

function usesWord(sentence: string, word: string): boolean {
  const escaped = inflections(word).map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`(?<![a-z])(?:${escaped.join("|")})(?![a-z])`, "i").test(sentence);
}

/** The id expression the seed must use for `word` (deterministic, so reruns hit the conflict). */
function expectedIdExpr(word: string): string {
  return `md5('audio-queue-word:' || '${word.replaceAll("'", "''")}')::uuid`;
}

/** Every problem with one entry, each naming the word and the field to fix. */
function entryProblems(e: SeedEntry): string[] {
  const problems: string[] = [];
  const at = `word '${e.word}'`;
  const countWords = (s: string) => s.trim().split(/\s+/).length;
  if (!/^[a-z][a-z'-]*$/i.test(e.word)) problems.push(`${at}: word must be a single word`);
  if (e.idExpr !== expectedIdExpr(e.word)) {
    problems.push(`${at}: id is ${e.idExpr}, expected ${expectedIdExpr(e.word)}`);
  }
  if (!e.definition.trim()) problems.push(`${at}: definition is empty`);
  if (countWords(e.definition) > MAX_DEFINITION_WORDS) {
    problems.push(`${at}: definition has more than ${MAX_DEFINITION_WORDS} words; shorten it`);
  }
  if (!usesWord(e.example, e.word)) {
    problems.push(`${at}: example_sentence does not use the word: ${e.example}`);
  }
  if (countWords(e.example) > MAX_EXAMPLE_WORDS) {
    problems.push(`${at}: example_sentence has more than ${MAX_EXAMPLE_WORDS} words; shorten it`);
  }
  for (const [field, text] of [["definition", e.definition], ["example_sentence", e.example]]) {
    if (!/^[\x20-\x7e]+$/.test(text)) problems.push(`${at}: ${field} must be plain ASCII`);
    if (!/[.!?]"?$/.test(text)) problems.push(`${at}: ${field} must end with . ! or ?`);
  }
  if (!Number.isInteger(e.grade) || e.grade < GRADE_RANGE.min || e.grade > GRADE_RANGE.max) {
    problems.push(`${at}: grade ${e.grade} is outside ${GRADE_RANGE.min}-${GRADE_RANGE.max}`);
  }
  return problems;
}

const seed = parseSeed(await Deno.readTextFile(SEED_URL));

Deno.test("parser: respects doubled quotes, commas and parentheses inside strings", () => {
  const sql = `-- a comment; with a semicolon
    insert into public.words (id, word, definition, example_sentence, grade) values
    (md5('audio-queue-word:' || 'don''t')::uuid, 'don''t', 'A (short), odd; thing.',
     'I said "don''t", twice.', 3),
    (md5('audio-queue-word:' || 'b')::uuid, 'b', 'B.', 'A b.', 4)
    on conflict (id) do nothing;
    select 1;`;
  const { entries, tails } = parseSeed(sql);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0], {
    idExpr: "md5('audio-queue-word:' || 'don''t')::uuid",
    word: "don't",
    definition: "A (short), odd; thing.",
    example: `I said "don't", twice.`,
    grade: 3,
  });
  assert.equal(entries[1].grade, 4);
  assert.deepEqual(tails, ["on conflict (id) do nothing"]);
});

Deno.test("checks: a wrong id, missing word in the example, or bad grade is reported", () => {
  const good: SeedEntry = {
    idExpr: expectedIdExpr("carry"),
    word: "carry",
    definition: "To hold something while moving.",
    example: "She carried the box upstairs.",
    grade: 2,
  };
  assert.deepEqual(entryProblems(good), []);
  assert.equal(entryProblems({ ...good, idExpr: expectedIdExpr("cary") }).length, 1);
  assert.equal(entryProblems({ ...good, example: "She lifted the box." }).length, 1);
  assert.equal(entryProblems({ ...good, example: "The carriage left." }).length, 1);
  assert.equal(entryProblems({ ...good, grade: 9 }).length, 1);
  const empty = entryProblems({ ...good, definition: "" });
  assert.ok(empty.includes("word 'carry': definition is empty"), empty.join("; "));
});

Deno.test("seed: every statement is idempotent (on conflict (id) do nothing)", () => {
  assert.ok(seed.tails.length > 0, "seed.sql: no insert into public.words found");
  for (const tail of seed.tails) {
    assert.match(tail, /^on\s+conflict\s*\(\s*id\s*\)\s+do\s+nothing$/i, `statement ends: ${tail}`);
  }
});

Deno.test(`seed: at least ${MIN_ENTRIES} entries over at least ${MIN_GRADES} grades`, () => {
  assert.ok(seed.entries.length >= MIN_ENTRIES, `only ${seed.entries.length} entries`);
  const grades = new Set(seed.entries.map((e) => e.grade));
  assert.ok(grades.size >= MIN_GRADES, `only grades ${[...grades].join(", ")}`);
});

Deno.test("seed: no duplicate words (case-insensitive)", () => {
  const seen = new Map<string, number>();
  for (const e of seed.entries) {
    seen.set(e.word.toLowerCase(), (seen.get(e.word.toLowerCase()) ?? 0) + 1);
  }
  const dupes = [...seen].filter(([, n]) => n > 1).map(([w]) => w);
  assert.deepEqual(dupes, [], `duplicate words: ${dupes.join(", ")}`);
});

Deno.test("seed: every entry has a matching id, a definition and an example using the word", () => {
  const problems = seed.entries.flatMap(entryProblems);
  assert.deepEqual(problems, []);
});
