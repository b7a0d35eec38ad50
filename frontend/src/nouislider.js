/* In place of noUiSlider (28 KB minified), which only ipywidgets' slider views use: the course has no slider.
   A page that shows one gets the front end's "could not be shown" note in its place instead of a broken slider. */
export function create() {
  throw new Error("mhkurs: sliders are not part of the course's widget front end (frontend/src/nouislider.js)");
}
export default { create };
