export * from "./settings.js";
export * from "./input.js";
