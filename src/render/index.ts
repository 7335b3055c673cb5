// Renderers: Finding[] to text for people, JSON for machines, GitHub workflow commands, SARIF.
export { renderText, type TextOptions } from "./text.js";
export { renderJson, JSON_FORMAT_VERSION } from "./json.js";
export { renderGithub, escapeData, escapeProperty } from "./github.js";
export { renderSarif, type SarifRule, type SarifOptions } from "./sarif.js";
export { summarize, type Summary } from "./summary.js";
export { displayJson, mdCode, mdFence, mdText, terminalChunk, terminalText } from "./escape.js";

export const FORMATS = ["text", "json", "github", "sarif"] as const;
export type Format = (typeof FORMATS)[number];
