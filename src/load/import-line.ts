// The import line: `# okta-gitops import: app=0oa… zone=nzo… customRole=cr0… resourceSet=iam…`, in
// the comment block before the document, names existing Okta objects the bot is to take ownership
// of. Anyone can write one by hand, so it is read here, with its position, for the policy to flag
// as an exception (adoption.requires-approval) like any other; the planner then refuses objects
// that are in use outside the file.

export const IMPORT_LINE = "# okta-gitops import:";

/** The kinds of Okta object an import line may name, each by its Okta id. */
export const ADOPTABLE = ["app", "zone", "customRole", "resourceSet"] as const;
export type AdoptableKind = (typeof ADOPTABLE)[number];

export interface ImportLine {
  /** The objects named, by kind. */
  ids: Partial<Record<AdoptableKind, string>>;
  /** Entries that are not `kind=id` of a known kind with a plain Okta id (never used). */
  invalid: string[];
  /** 1-based line of the import line in the file, and its length (for the finding's span). */
  line: number;
  length: number;
}

const ENTRY = /^(app|zone|customRole|resourceSet)=([A-Za-z0-9]{1,40})$/;

/** The import line of a file's text, when its leading comment block has one. */
export function parseImportLine(text: string): ImportLine | undefined {
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed === "---") continue;
    if (!trimmed.startsWith("#")) return undefined;
    if (!trimmed.startsWith(IMPORT_LINE)) continue;
    const ids: ImportLine["ids"] = {};
    const invalid: string[] = [];
    // A comment may follow the entries (` # ...`).
    const entries = trimmed.slice(IMPORT_LINE.length).split(/\s#/)[0] ?? "";
    for (const pair of entries.trim().split(/\s+/).filter(Boolean)) {
      const m = ENTRY.exec(pair);
      const kind = m?.[1] as AdoptableKind | undefined;
      // A kind named twice is ambiguous: neither id is used.
      if (!m || !kind || ids[kind] !== undefined) invalid.push(pair.slice(0, 60));
      else ids[kind] = m[2];
    }
    return { ids, invalid, line: i + 1, length: raw.replace(/\r$/, "").length };
  }
  return undefined;
}
