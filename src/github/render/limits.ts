// GitHub's size limits, and text cut to fit them. A check run whose summary or text is over
// 65,535 bytes is refused (and a check left pending forever is worse than a short one), a comment
// over 65,536 characters too; so everything the App posts is fitted here, and says where it was
// cut. A cut never splits a character (half a surrogate pair, half a UTF-8 sequence), and never
// leaves Markdown open: a code block cut short is closed with its own fence, a folded section with
// its tag, and the cut falls between lines outside a code block, so that no inline code span
// holding hostile text is left unclosed (its text would turn live).
import type { Annotation } from "../port.js";

/** `output.summary` of a check run, counted by GitHub in UTF-8 bytes. */
export const SUMMARY_MAX_BYTES = 65_535;
/** `output.text` of a check run, in UTF-8 bytes. */
export const TEXT_MAX_BYTES = 65_535;
/** The body of an issue or a comment, in characters (counted here in UTF-16 code units, which
 * are never fewer than the characters GitHub counts). */
export const COMMENT_MAX_CHARS = 65_536;
/** Annotations GitHub takes in one create or update of a check run. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** An annotation's title, in characters. */
export const ANNOTATION_TITLE_MAX = 255;
/** An annotation's message: 64 KB. */
export const ANNOTATION_MESSAGE_MAX_BYTES = 64 * 1024;

export type Unit = "bytes" | "chars";

/** The UTF-8 length of a string as GitHub receives it (a lone surrogate is sent as U+FFFD, 3). */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

const sizeOf = (s: string, unit: Unit): number => (unit === "bytes" ? utf8Bytes(s) : s.length);

function codePointSize(ch: string, unit: Unit): number {
  if (unit === "chars") return ch.length;
  const cp = ch.codePointAt(0)!;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The longest prefix of whole characters (code points) at most `max` units long. */
export function prefixWithin(s: string, max: number, unit: Unit = "bytes"): string {
  if (sizeOf(s, unit) <= max) return s;
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = codePointSize(ch, unit);
    if (used + n > max) break;
    used += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** Plain text (no Markdown) at most `max` units long, ending with "…" when cut. */
export function fitPlain(s: string, max: number, unit: Unit = "bytes"): string {
  if (sizeOf(s, unit) <= max) return s;
  return prefixWithin(s, max - sizeOf("…", unit), unit) + "…";
}

interface Open {
  /** The fence of the code block the text is in, if any. */
  fence: string | null;
  /** <details> sections open. */
  details: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The Markdown state after one more line. Only our own layout opens folded sections: a
 * `<details>` or `</details>` at the start of a line (hostile text is always inside a code span
 * or block, never at the start of a line outside one). */
function after(state: Open, line: string): Open {
  if (state.fence !== null) {
    const m = FENCE.exec(line);
    const closes =
      m &&
      m[1]![0] === state.fence[0] &&
      m[1]!.length >= state.fence.length &&
      line.slice(m[0].length).trim() === "";
    return closes ? { ...state, fence: null } : state;
  }
  const m = FENCE.exec(line);
  if (m) return { ...state, fence: m[1]! };
  if (line.startsWith("<details")) return { ...state, details: state.details + 1 };
  if (line.startsWith("</details>") && state.details > 0)
    return { ...state, details: state.details - 1 };
  return state;
}

const closing = (s: Open): string =>
  (s.fence !== null ? `\n${s.fence}` : "") + "\n\n</details>".repeat(s.details);

/** The default note at a cut: how much more there was. */
function cutNote(left: number, max: number, unit: Unit): string {
  const what = unit === "bytes" ? "bytes" : "characters";
  return `**✂ Cut here:** ${left.toLocaleString("en-US")} more ${what} do not fit GitHub's limit of ${max.toLocaleString("en-US")} ${what}.`;
}

/**
 * Markdown at most `max` units long. When it is longer it is cut between lines (inside a code
 * block, at a character), every open code block and folded section is closed, and a note (Markdown,
 * `note(unitsLeftOut)`, by default one saying how much is left out) ends it.
 */
export function fitMarkdown(
  text: string,
  max: number,
  unit: Unit,
  note?: (left: number) => string,
): string {
  const total = sizeOf(text, unit);
  if (total <= max) return text;
  const noteOf = note ?? ((left: number) => cutNote(left, max, unit));
  // The note is measured with the most it can say (everything left out), so it always fits.
  const tail = "\n\n" + noteOf(total);
  const tailSize = sizeOf(tail, unit);
  let out = "";
  let used = 0;
  let state: Open = { fence: null, details: 0 };
  let taken = 0;
  for (const line of text.split("\n")) {
    const sep = taken ? "\n" : "";
    const piece = sep + line;
    const next = after(state, line);
    const cost = sizeOf(piece, unit);
    if (used + cost + sizeOf(closing(next), unit) + tailSize <= max) {
      out += piece;
      used += cost;
      state = next;
      taken++;
      continue;
    }
    // Inside a code block (and not at its closing fence) part of a line is still inert text.
    if (state.fence !== null && next.fence !== null) {
      const room = max - used - sizeOf(sep, unit) - sizeOf(closing(state), unit) - tailSize;
      if (room > 0) {
        const part = prefixWithin(line, room, unit);
        out += sep + part;
        used += sizeOf(sep + part, unit);
      }
    }
    break;
  }
  const result = out + closing(state) + "\n\n" + noteOf(total - used);
  // The note with the real count is never longer than the one measured; checked all the same.
  return sizeOf(result, unit) <= max ? result : prefixWithin(noteOf(total - used), max, unit);
}

/** Markdown at most `max` UTF-8 bytes (a check run's summary or text). */
export function fitBytes(text: string, max: number, note?: (left: number) => string): string {
  return fitMarkdown(text, max, "bytes", note);
}

/** Markdown at most `max` characters (a comment or an issue's body). */
export function fitChars(text: string, max: number, note?: (left: number) => string): string {
  return fitMarkdown(text, max, "chars", note);
}

/** Annotations in the batches GitHub takes per request, in order. */
export function annotationBatches(annotations: readonly Annotation[]): Annotation[][] {
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches;
}
