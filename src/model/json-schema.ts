// The published JSON Schemas, derived from the zod schemas (one source of truth).
import { z } from "zod";
import { Integration } from "./integration.js";
import { Config } from "./config.js";

const BASE = "https://okta-gitops.dev/schemas";

function render(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  });
  return JSON.stringify({ ...json, $id: `${BASE}/${id}`, title }, null, 2) + "\n";
}

export function renderJsonSchemas(): Record<string, string> {
  return {
    "integration.schema.json": render(
      Integration,
      "integration.schema.json",
      "okta-gitops integration",
    ),
    "config.schema.json": render(
      Config,
      "config.schema.json",
      "okta-gitops configuration (.okta-gitops.yml)",
    ),
  };
}
