// The kind list: one writer per kind the reconciler plans. Adding a kind is one new module under
// kinds/ and one line here (and its reading in read.ts); the type makes a missing one an error.
import type { ResourceKind } from "../../reconcile/model.js";
import { appWriter } from "./app.js";
import { customRoleWriter } from "./custom-role.js";
import { grantWriter } from "./grant.js";
import type { KindWriter } from "./kind.js";
import { loginBlockWriter, loginGroupWriter, loginRuleWriter } from "./login-block.js";
import { rateLimitWriter } from "./rate-limit.js";
import { resourceSetWriter } from "./resource-set.js";
import { roleAssignmentWriter } from "./role-assignment.js";
import { tokenWriter } from "./token.js";
import { zoneWriter } from "./zone.js";

export const WRITERS: Readonly<Record<ResourceKind, KindWriter>> = {
  zone: zoneWriter,
  loginGroup: loginGroupWriter,
  loginRule: loginRuleWriter,
  customRole: customRoleWriter,
  resourceSet: resourceSetWriter,
  app: appWriter,
  token: tokenWriter,
  loginBlock: loginBlockWriter,
  grant: grantWriter,
  roleAssignment: roleAssignmentWriter,
  rateLimit: rateLimitWriter,
};
