export * from "./integration.js";
export * from "./config.js";
export * from "./finding.js";
