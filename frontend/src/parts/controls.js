// The parts of the front end, each evaluated in a task of its own (main.js imports them): ipywidgets' controls.
export * as controls from "@jupyter-widgets/controls";
