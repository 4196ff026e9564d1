// The element module, also on window for the tests that call its exports.
import * as element from '/dist/element.js';

window.alexnetElement = element;
