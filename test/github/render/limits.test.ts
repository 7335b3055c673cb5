// GitHub refuses a check run whose summary or text is over 65,535 bytes (and a comment over 65,536
// characters): the App fits them, counting bytes as GitHub does, cutting only between whole
// characters and never leaving Markdown open.
import { describe, expect, it } from "vitest";
import { mdCode, mdFence } from "../../../src/render/escape.js";
import {
  ANNOTATIONS_PER_REQUEST,
  annotationBatches,
  COMMENT_MAX_CHARS,
  fitBytes,
  fitChars,
  fitPlain,
  prefixWithin,
  SUMMARY_MAX_BYTES,
  utf8Bytes,
} from "../../../src/github/render/limits.js";
import { annotationOf } from "../../../src/github/render/policy-check.js";
import { validate } from "../../../src/validate.js";
import { Config } from "../../../src/model/index.js";
import { stringify } from "yaml";
import { serviceApp } from "../../reconcile/fixtures.js";

const EMOJI = "😀"; // 4 bytes, 2 UTF-16 code units
const CJK = "漢"; // 3 bytes

/** True when the text is valid UTF-16 (no lone surrogate): it encodes to UTF-8 and back. */
const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s)) === s;

describe("byte limits with multibyte text", () => {
  it("keeps text exactly at the limit, and cuts one byte over it", () => {
    const at = EMOJI.repeat(SUMMARY_MAX_BYTES >> 2) + "abc"; // 65,532 + 3 bytes
    expect(utf8Bytes(at)).toBe(SUMMARY_MAX_BYTES);
    expect(fitBytes(at, SUMMARY_MAX_BYTES)).toBe(at);
    const over = at + "d";
    const fitted = fitBytes(over, SUMMARY_MAX_BYTES);
    expect(fitted).not.toBe(over);
    expect(utf8Bytes(fitted)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(fitted).toMatch(
      /✂ Cut here:\*\* [\d,]+ more bytes do not fit GitHub's limit of 65,535 bytes\.$/,
    );
  });

  it("never cuts half a surrogate pair or half a UTF-8 sequence", () => {
    for (let max = 1; max <= 13; max++) {
      const e = prefixWithin(EMOJI.repeat(4), max);
      expect(utf8Bytes(e)).toBe(Math.floor(max / 4) * 4);
      expect(wellFormed(e)).toBe(true);
      const c = prefixWithin(CJK.repeat(5), max);
      expect(utf8Bytes(c)).toBe(Math.floor(max / 3) * 3);
      const chars = prefixWithin(EMOJI.repeat(4), max, "chars");
      expect(chars.length).toBe(Math.min(8, Math.floor(max / 2) * 2));
      expect(wellFormed(chars)).toBe(true);
    }
    // A one-line cut of plain text: whole characters and an ellipsis, within the bytes.
    const plain = fitPlain(CJK.repeat(100), 100, "bytes");
    expect(plain).toBe(CJK.repeat(32) + "…");
    expect(utf8Bytes(plain)).toBe(99);
  });

  it("cuts a multibyte line inside a code block at a character and closes the block", () => {
    const md =
      "intro\n" + mdFence(EMOJI.repeat(40_000) + "\n" + CJK.repeat(10), "json") + "\nafter";
    const fitted = fitBytes(md, 10_000);
    expect(utf8Bytes(fitted)).toBeLessThanOrEqual(10_000);
    expect(wellFormed(fitted)).toBe(true);
    // The code block is closed by its own fence before the note; the note is outside it.
    const [block, note] = fitted.split("\n```\n\n");
    expect(block!.startsWith("intro\n```json\n😀")).toBe(true);
    expect(note).toMatch(/^\*\*✂ Cut here:\*\*/);
    expect(fitted.split("\n").filter((l) => l.startsWith("```"))).toHaveLength(2);
  });

  it("cuts outside code only between lines: no code span holding hostile text is left open", () => {
    const hostile = mdCode("<img src=x> @acme/identity " + CJK.repeat(50));
    const md = Array.from({ length: 500 }, (_, i) => `| ${i} | ${hostile} |`).join("\n");
    const fitted = fitChars(md, 5_000);
    expect(fitted.length).toBeLessThanOrEqual(5_000);
    const rows = fitted.split("\n").filter((l) => l.startsWith("|"));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row).toBe(`| ${rows.indexOf(row)} | ${hostile} |`);
    // A blank line ends the table before the note, so the note is no table row.
    expect(fitted).toMatch(/\|\n\n\*\*✂ Cut here:\*\* [\d,]+ more characters/);
  });

  it("closes a folded section cut short", () => {
    const md = [
      "<details><summary>JSON Patch</summary>",
      "",
      mdFence("x".repeat(20_000)),
      "",
      "</details>",
      "tail",
    ].join("\n");
    const fitted = fitChars(md, 1_000);
    expect(fitted.length).toBeLessThanOrEqual(1_000);
    expect(fitted).toMatch(/\n```\n\n<\/details>\n\n\*\*✂ Cut here:\*\*/);
  });

  it("fits a comment exactly at GitHub's limit and cuts one character over", () => {
    const at = "abc\n".repeat(COMMENT_MAX_CHARS / 4 - 1) + "abcd";
    expect(at.length).toBe(COMMENT_MAX_CHARS);
    expect(fitChars(at, COMMENT_MAX_CHARS)).toBe(at);
    const over = fitChars(at + "c", COMMENT_MAX_CHARS);
    expect(over.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(over).toContain("✂ Cut here");
  });
});

describe("annotations", () => {
  it("are batched 50 to a request, in order, the rest in further batches", () => {
    // Real findings: 60 files, each with an address that is not public.
    const files = Array.from({ length: 60 }, (_, i) => ({
      path: `integrations/svc-${i}.yaml`,
      bytes: new TextEncoder().encode(
        stringify(serviceApp(`svc-${i}`, { network: { allow: [`10.0.${i}.1/32`] } })),
      ),
    }));
    const { findings } = validate({ files, config: Config.parse({}), today: "2026-11-29" });
    const annotations = findings.map(annotationOf);
    expect(annotations.length).toBeGreaterThan(ANNOTATIONS_PER_REQUEST);
    const batches = annotationBatches(annotations);
    expect(batches.map((b) => b.length)).toEqual(
      Array.from({ length: Math.ceil(annotations.length / 50) }, (_, i) =>
        Math.min(50, annotations.length - 50 * i),
      ),
    );
    expect(batches.flat()).toEqual(annotations);
  });
});
