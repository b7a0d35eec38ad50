// The parts of the front end, each evaluated in a task of its own (main.js imports them): Lumino, the widgets' base.
// Only what the course uses (and what ipywidgets imports itself): the rest of @lumino/widgets (dock panels, menus,
// command palettes…) was evaluated on every page for nothing.
export { Widget, Panel } from "@lumino/widgets";
