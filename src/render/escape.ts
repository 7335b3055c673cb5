// Text from files, from Okta and from GitHub is hostile: a label set in Okta can hold terminal
// escapes (which can move the cursor and print a fake "No drift"), a lone carriage return, bidi
// overrides (text that reads differently than it runs), or Markdown that breaks out of a table
// into live @-mentions, images, links and HTML. Every renderer passes such text through one of
// these functions, one family per destination: the terminal, Markdown, and display JSON.

/** C0 controls, DEL, C1 controls (U+0080-U+009F, incl. the 8-bit CSI U+009B), bidi embeddings,
 * overrides, isolates and marks, line and paragraph separators, and the BOM. */
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// As above, less tab and line feed.
const CONTROL_BUT_LAYOUT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
/* eslint-enable no-control-regex */
const REPLACEMENT = "\ufffd";

export interface TerminalOptions {
  /** Keep line feeds and tabs (multi-line text of our own layout); a carriage return never. */
  layout?: boolean;
}

/** Text for a terminal: every control character (ESC and so every ANSI sequence, CR, C1, bidi
 * controls) becomes U+FFFD, one code unit for one, so that columns still line up. */
export function terminalText(s: string, options: TerminalOptions = {}): string {
  return s.replace(options.layout ? CONTROL_BUT_LAYOUT : CONTROL, REPLACEMENT);
}

/** A chunk written to a terminal stream by the CLI: line feeds stay; a carriage return stays only
 * as the chunk's first character (the CLI's own progress line redraws itself that way); every
 * other control character becomes U+FFFD. */
export function terminalChunk(s: string): string {
  const lead = s.startsWith("\r") ? "\r" : "";
  return lead + terminalText(s.slice(lead.length), { layout: true }).replace(/\t/g, " ");
}

const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/g;

/**
 * Text as one Markdown inline code span that nothing in it can close, usable in a table cell:
 * the fence is one backtick longer than the longest run inside, line breaks become ⏎, control
 * characters U+FFFD, and `|` is escaped (GitHub splits table cells on it, even inside code). In a
 * code span GitHub renders no HTML, mention, link, image or emoji.
 */
export function mdCode(s: string): string {
  const text = s.replace(LINE_BREAK, "⏎").replace(CONTROL, REPLACEMENT).replace(/\|/g, "\\|");
  if (text === "") return "` `";
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  // A space on each side when the text starts or ends with a backtick or a space: CommonMark takes
  // one such space away on each side, so the text shows as it is.
  const pad = /^[` ]|[` ]$/.test(text) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text as plain Markdown (outside code): every ASCII punctuation character is backslash-escaped
 * (no emphasis, link, image, HTML, table cell or heading can start), line breaks become spaces,
 * control characters U+FFFD, and an @ is followed by a word joiner so it never mentions anyone.
 * Prefer mdCode for any value: GitHub links bare URLs in plain text.
 */
export function mdText(s: string): string {
  return s
    .replace(LINE_BREAK, " ")
    .replace(CONTROL, REPLACEMENT)
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u2060");
}

/** A fenced code block that nothing inside can close: the fence is longer than any backtick run
 * in the content; control characters other than line feeds become U+FFFD. */
export function mdFence(content: string, info = ""): string {
  const text = content.replace(/\r\n?/g, "\n").replace(CONTROL_BUT_LAYOUT, REPLACEMENT);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** JSON text for people (in Markdown or a terminal): the characters JSON.stringify leaves raw
 * inside strings (DEL, C1, bidi controls, U+2028/9, the BOM) as \u escapes. Still the same JSON. */
export function displayJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
