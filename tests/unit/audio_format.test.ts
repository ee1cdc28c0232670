// The audio-format module: the allowed values every check uses, the format key and its parse,
// the content type, the content-addressed Storage path and the text hash it is built from.
import assert from "node:assert/strict";
import {
  audioObjectPath,
  contentTypeOf,
  formatKey,
  formatProblems,
  type OutputFormat,
  parseFormatKey,
  SAMPLE_RATES,
  textHash,
} from "../../supabase/functions/_shared/audio_format.ts";

const VOICE = "a0e99841-438c-4a64-b679-ae501e7d6091";

Deno.test("format key: written and read back, the bit rate only for mp3", () => {
  const wav: OutputFormat = { container: "wav", encoding: "pcm_s16le", sampleRate: 44100 };
  const mp3: OutputFormat = {
    container: "mp3",
    encoding: "pcm_s16le",
    sampleRate: 22050,
    bitRate: 64000,
  };
  assert.equal(formatKey({ ...wav, bitRate: 128000 }), "wav-pcm_s16le-44100");
  assert.equal(formatKey(mp3), "mp3-pcm_s16le-22050-64000");
  assert.deepEqual(parseFormatKey("wav-pcm_s16le-44100"), wav);
  assert.deepEqual(parseFormatKey("mp3-pcm_s16le-22050-64000"), mp3);
  for (const bad of ["wav-pcm_s16le-44100-128000", "mp3-pcm_s16le-44100", "ogg-pcm_s16le-8000"]) {
    assert.throws(() => parseFormatKey(bad), new RegExp(`format "${bad}"`));
  }
});

Deno.test("content type per container: one map for the upload and the provider client", () => {
  assert.equal(contentTypeOf("wav"), "audio/wav");
  assert.equal(contentTypeOf("mp3"), "audio/mpeg");
  assert.equal(contentTypeOf("raw"), "application/octet-stream");
});

Deno.test("formatProblems names each bad field with the allowed values", () => {
  assert.deepEqual(
    formatProblems({ container: "wav", encoding: "pcm_s16le", sampleRate: 24000 }),
    [],
  );
  const problems = formatProblems({
    container: "mp3",
    encoding: "pcm_s16le",
    sampleRate: 11025,
    bitRate: 100000,
  });
  assert.deepEqual(problems, [
    `outputFormat.sampleRate: one of ${SAMPLE_RATES.join(", ")}, got 11025`,
    "outputFormat.bitRate: mp3 needs one of 32000, 64000, 96000, 128000, 192000, got 100000",
  ]);
  assert.deepEqual(
    formatProblems(
      { container: "ogg", encoding: "opus", sampleRate: 8000 } as unknown as OutputFormat,
      "f",
    ),
    [
      'f.container: one of wav, mp3, raw, got "ogg"',
      'f.encoding: one of pcm_s16le, pcm_f32le, pcm_mulaw, pcm_alaw, got "opus"',
    ],
  );
});

// Expected values computed by PostgreSQL 15 with
// encode(sha256(convert_to(normalize(btrim(t), NFC), 'UTF8')), 'hex').
const SQL_HASHES: Array<[string, string]> = [
  ["hello", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
  ["  hello  ", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["Caf\u00e9", "73473dcc12b763085904a5279d048c4d5b3b008c46f1f32443b99de04aa83a14"],
  ["Cafe\u0301", "73473dcc12b763085904a5279d048c4d5b3b008c46f1f32443b99de04aa83a14"],
  [
    "\u00dcn\u00efc\u00f6d\u00e9 \u2014 na\u00efve",
    "571f966ea13851bcd8f59a8427fbd089d8bf80db15faf4a68361eda596d0443c",
  ],
  ["\ttab\n", "8110d5133417c66218eee7a4c986c1331b9106cff425b0690f67d63506d83c18"],
  ["\u00a0nbsp\u00a0", "2e33b466e86b936aa1abaadacd44bd2f082b21bd5cda5c9bbcb83695bfe148ff"],
  ["日本語のテキスト", "d4192d3b01dfa9f5b08388f13e5c7492e3cfdc5611bf8c77784dc97523f03efb"],
  ["emoji 🎧 ok", "c7bde16c5bae6e7a8fdd04526680fbe3f8045515f5ea3269f95f96af7b040ddf"],
];

Deno.test("textHash matches the SQL expression (spaces-only trim, NFC)", async () => {
  for (const [text, expected] of SQL_HASHES) {
    assert.equal(await textHash(text), expected, JSON.stringify(text));
  }
});

Deno.test("audioObjectPath: content-addressed, sanitised, bit rate only for mp3", async () => {
  const hash = await textHash("hello");
  assert.equal(
    audioObjectPath({
      voiceId: VOICE,
      modelId: "sonic-2",
      format: { container: "wav", encoding: "pcm_s16le", sampleRate: 44100, bitRate: 128000 },
      textHash: hash,
    }),
    `${VOICE}/sonic-2/wav-pcm_s16le-44100/${hash}.wav`,
  );
  assert.equal(
    audioObjectPath({
      voiceId: "v/../x y",
      modelId: "sonic:2",
      format: { container: "mp3", encoding: "pcm_f32le", sampleRate: 22050, bitRate: 64000 },
      textHash: hash,
    }),
    `v_.._x_y/sonic_2/mp3-pcm_f32le-22050-64000/${hash}.mp3`,
  );
  const raw = { container: "raw", encoding: "pcm_s16le", sampleRate: 8000 } as const;
  assert.match(
    audioObjectPath({ voiceId: "v", modelId: "m", format: raw, textHash: hash }),
    /\/raw-pcm_s16le-8000\/[0-9a-f]{64}\.raw$/,
  );
  assert.throws(
    () => audioObjectPath({ voiceId: "..", modelId: "m", format: raw, textHash: hash }),
    /voiceId/,
  );
  assert.throws(
    () => audioObjectPath({ voiceId: "v", modelId: "m", format: raw, textHash: "abc" }),
    /textHash/,
  );
  const mp3 = { container: "mp3", encoding: "pcm_s16le", sampleRate: 44100 } as const;
  assert.throws(
    () => audioObjectPath({ voiceId: "v", modelId: "m", format: mp3, textHash: hash }),
    /bitRate is required for mp3/,
  );
});
