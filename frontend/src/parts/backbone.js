// The parts of the front end, each evaluated in a task of its own (main.js imports them): Backbone and Lodash,
// which ipywidgets' base builds its models on (evaluated with the base they took one task of 90–185 ms at 4x CPU
// throttling).
export * as backbone from "backbone";
