// Users: the service accounts of token exceptions (read, never created), and the people a binding
// names (read for their login only).
import { z } from "zod";

export const RawUser = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  profile: z.looseObject({ login: z.string().optional() }).optional(),
});
export type RawUser = z.infer<typeof RawUser>;
