// The parts of the front end, each evaluated in a task of its own (main.js imports them): Lumino, the widgets' base.
export * as widgets from "@lumino/widgets";
