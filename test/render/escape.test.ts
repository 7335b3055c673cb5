// The two escaping families every renderer uses: Markdown that hostile text cannot break out of,
// and terminal text that cannot drive the terminal.
import { describe, expect, it } from "vitest";
import { mdCode, mdFence, mdText, terminalChunk, terminalText } from "../../src/render/escape.js";
import { renderGithub, renderSarif, renderText } from "../../src/render/index.js";
import type { Finding } from "../../src/model/finding.js";

describe("mdCode", () => {
  it.each(["a`b", "``x``", "`", "a | b", "x\r\ny\rz\u2028w", "trailing `", " spaced "])(
    "is one code span that %j cannot close",
    (text) => {
      const span = mdCode(text);
      const fence = /^`+/.exec(span)![0];
      // The fence occurs only at both ends, and is longer than any run inside.
      const inner = span.slice(fence.length, -fence.length);
      expect(span.endsWith(fence)).toBe(true);
      expect([...inner.matchAll(/`+/g)].every((m) => m[0].length < fence.length)).toBe(true);
      expect(span).not.toMatch(/[\r\n\u2028]/);
      expect(span.split(/(?<!\\)\|/)).toHaveLength(1); // no cell break
    },
  );
});

describe("mdText and mdFence", () => {
  it("leaves no live mention, link, image or HTML in plain Markdown", () => {
    const t = mdText("@octocat ![i](https://ev.il) <b>x</b>\n# h");
    expect(t).not.toMatch(/@[a-z]/);
    expect(t).not.toMatch(/(?<!\\)[[\]()<>!#]/);
    expect(t).not.toContain("\n");
  });
  it("closes a fenced block only with its own fence", () => {
    const block = mdFence('{"label": "```\\n@octocat"}\n````', "json");
    expect(block.startsWith("`````json\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
  });
});

describe("terminal text", () => {
  it("replaces ESC, CR, C1 controls and bidi overrides, one for one", () => {
    const hostile = "a\x1b[2Kb\rc\u009b31md\u202ee\u2066f";
    expect(terminalText(hostile)).toBe("a\ufffd[2Kb\ufffdc\ufffd31md\ufffde\ufffdf");
    expect(terminalText(hostile)).toHaveLength(hostile.length);
  });
  it("keeps the CLI's own progress redraw (a leading CR) and line feeds, nothing else", () => {
    expect(terminalChunk("\rReading Okta: 3 calls")).toBe("\rReading Okta: 3 calls");
    expect(terminalChunk("one\ntwo\r\x1b[1A\n")).toBe("one\ntwo\ufffd\ufffd[1A\n");
  });
});

describe("findings renderers", () => {
  const finding: Finding = {
    file: "integrations/x\x1b[31m.yaml",
    line: 1,
    column: 1,
    rule: "schema.invalid",
    severity: "error",
    message: "value \u009b2J\x1b]8;;https://ev.il\x07link\u202e",
  };
  it("text, GitHub workflow commands and SARIF carry no control character", () => {
    // eslint-disable-next-line no-control-regex -- the point
    const controls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
    expect(renderText([finding], { files: 1 })).not.toMatch(controls);
    expect(renderGithub([finding], { files: 1 })).not.toMatch(controls);
    const sarif = renderSarif([finding], { rules: [], toolVersion: "0" });
    expect(JSON.stringify(JSON.parse(sarif))).not.toMatch(/\\u001b|\\u0007|\u009b|\u202e/);
  });
});
