// The sign-off pack page, while a pack is being made: fetch the page again every few seconds and swap in
// the fresh list of packs and status line, until nothing is being made any more. The status line
// (#pack-progress) is an aria-live region, so it is only rewritten when its words change. A static file,
// not an inline script, so that a content security policy without 'unsafe-inline' allows it.
(function () {
  "use strict";
  var section = document.getElementById("pack-jobs");
  if (!section || !window.fetch || !window.DOMParser) {
    return;
  }
  var delay = 3000;
  var maxDelay = 30000;
  var pollsLeft = 400; // about 20 minutes at most, past any build's deadline

  // Replace the children of #id with those of the fresh page's #id when what `key` reads of them differs.
  function swap(id, fresh, key) {
    var mine = document.getElementById(id);
    var theirs = fresh.getElementById(id);
    if (mine && theirs && key(mine) !== key(theirs)) {
      mine.replaceChildren.apply(mine, Array.prototype.map.call(theirs.childNodes, function (node) {
        return document.importNode(node, true);
      }));
    }
  }

  function words(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }

  function markup(element) {
    return element.innerHTML;
  }

  function poll() {
    if (section.getAttribute("data-working") !== "true" || pollsLeft-- <= 0) {
      return;
    }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshSection = fresh.getElementById("pack-jobs");
        if (!freshSection) {
          throw new Error("no pack list in the page");
        }
        swap("pack-progress", fresh, words);
        swap("pack-jobs-table", fresh, markup);
        section.setAttribute("data-working", freshSection.getAttribute("data-working"));
        delay = 3000;
      })
      .catch(function () {
        delay = Math.min(delay * 2, maxDelay); // the server is busy or away: ask less often
      })
      .then(function () {
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
