// What GitHub shows of the workflows' reports: check-run outputs, the plan and apply comments, and
// the issue bodies, each within GitHub's limits and with every outside text escaped. Pure.
export {
  ANNOTATION_TITLE_MAX,
  ANNOTATIONS_PER_REQUEST,
  annotationBatches,
  COMMENT_MAX_CHARS,
  fitBytes,
  fitChars,
  SUMMARY_MAX_BYTES,
  TEXT_MAX_BYTES,
  utf8Bytes,
} from "./limits.js";
export { MARKERS, type PullRequestReport, type Unchecked } from "./common.js";
export {
  annotationOf,
  POLICY_CHECK,
  policyCheck,
  type PolicyCheck,
  type PolicyCheckInput,
} from "./policy-check.js";
export { planComment, planCommentHead, type PlanCommentInput } from "./plan-comment.js";
export {
  APPROVAL_CHECK,
  approvalCheck,
  type ApprovalCheck,
  type ApprovalCheckInput,
} from "./approval-check.js";
export {
  APPLY_CHECK,
  applyCheck,
  applyComment,
  applyFailed,
  applyFailureIssue,
  applyOutcomes,
  applyRecoveredIssue,
  type ApplyCheck,
  type ApplyReportInput,
  type IntegrationOutcome,
} from "./apply-report.js";
export { DRIFT_TITLE, driftIssue, type DriftIssue, type DriftIssueInput } from "./drift-issue.js";
