// A refusal of a whole job (bad settings, a typo in --only, a saved plan that no longer holds): one
// line that says why and that nothing was done. The CLI prints it and exits 1; the App reports it.
export class WorkflowError extends Error {}
