// Request bodies are checked at the edge with zod, and refused the way Okta refuses them: 400 with
// E0000001 and one cause per problem ("field: what is wrong").
import type { z } from "zod";
import { errors } from "./errors.js";

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined) throw errors.malformed("A JSON request body is required.");
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const causes = result.error.issues.map(
    (i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`,
  );
  const first = result.error.issues[0]?.path.join(".");
  throw errors.validation(causes, first || undefined);
}
