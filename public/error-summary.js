// A refused form's error summary takes the focus once the page has loaded,
// so that a screen reader reads it out and the screen shows it. (The signing
// form's action also ends in #error-summary, which opens the page there
// without JavaScript.)
'use strict';
addEventListener('load', () => document.querySelector('[data-error-summary]')?.focus());
