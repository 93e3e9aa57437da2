// Hides every amount on screen while the customer is in public, remembered on this device.
// Loaded in <head> without defer so the choice applies before the first paint: amounts never
// flash into view. Without script the button stays hidden and amounts are shown.
(function () {
  'use strict';
  var KEY = 'assetstatus.hideAmounts';
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === '1'; } catch (e) { return false; }
  }
  function apply(hidden) {
    root.classList.toggle('amounts-hidden', hidden);
    var button = document.querySelector('[data-privacy-toggle]');
    if (!button) return;
    button.setAttribute('aria-pressed', hidden ? 'true' : 'false');
    var label = button.querySelector('.privacy-label');
    if (label) label.textContent = hidden ? button.dataset.labelShow : button.dataset.labelHide;
  }
  apply(stored());
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.querySelector('[data-privacy-toggle]');
    if (!button) return;
    button.hidden = false;
    apply(stored());
    button.addEventListener('click', function () {
      var hidden = !root.classList.contains('amounts-hidden');
      try { window.localStorage.setItem(KEY, hidden ? '1' : '0'); } catch (e) { /* private mode: this page only */ }
      apply(hidden);
    });
  });
})();
