// Scanner Worker dashboard: refreshes the part of a page marked <main data-refresh="N">
// every N seconds without a full reload, and not while the person is typing in a form or
// has a <details> open. The pages work without this script (plain links and forms).
(function () {
  'use strict';
  const main = document.querySelector('main[data-refresh]');
  if (!main || !window.fetch || !window.DOMParser) return;
  const seconds = Math.max(2, parseInt(main.getAttribute('data-refresh'), 10) || 5);

  function busy() {
    const active = document.activeElement;
    if (active && active.closest && active.closest('main form')) return true;
    return main.querySelector('details[open]') !== null;
  }

  async function refresh() {
    if (document.hidden || busy()) return;
    try {
      const response = await fetch(window.location.href, {credentials: 'same-origin', headers: {Accept: 'text/html'}});
      if (!response.ok || response.redirected) return;  // logged out: the next navigation shows the login form
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.querySelector('main');
      if (fresh && !busy()) main.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
    } catch (error) {
      // the server is restarting or the network is down: try again at the next tick
    }
  }

  window.setInterval(refresh, seconds * 1000);
})();
