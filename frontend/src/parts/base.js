// The parts of the front end, each evaluated in a task of its own (main.js imports them): ipywidgets' base.
export * as base from "@jupyter-widgets/base";
export { ManagerBase } from "@jupyter-widgets/base-manager";
