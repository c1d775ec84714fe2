// A people import's page while its confirmation is applied: fetch the page again every two seconds and
// rewrite the progress (#import-progress, an aria-live status line, rewritten only when its words change);
// once the import has ended, bring in the rest of the fresh page (the outcome, or the preview to confirm
// again) and say how it ended in the same status line. A static file, so the content security policy
// allows it; without JavaScript the page's <noscript> refresh does the same by reloading.
(function () {
  "use strict";
  var section = document.getElementById("import-job");
  if (!section || !window.fetch || !window.DOMParser) {
    return;
  }
  var delay = 2000;
  var pollsLeft = 600; // past any import's deadline

  function words(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function copyChildren(mine, theirs) {
    if (mine && theirs && mine.innerHTML !== theirs.innerHTML) {
      mine.replaceChildren.apply(mine, Array.prototype.map.call(theirs.childNodes, function (node) {
        return document.importNode(node, true);
      }));
    }
  }

  function say(fresh) {
    var status = document.getElementById("import-progress");
    var text = words(fresh.getElementById("import-progress"));
    if (status && words(status) !== text) {
      status.textContent = text;
    }
  }

  function finish(fresh) {
    var main = document.getElementById("main");
    var freshMain = fresh.getElementById("main");
    var theirs = fresh.getElementById("import-job");
    if (!main || !freshMain || !theirs) {
      window.location.reload();
      return;
    }
    // Everything but this section comes from the fresh page; the section stays, so that its status line
    // is the same live region and its new words are read out.
    var nodes = [];
    Array.prototype.forEach.call(freshMain.childNodes, function (node) {
      if (node === theirs) {
        nodes.push(section);
      } else if (node.nodeName !== "SCRIPT") {
        nodes.push(document.importNode(node, true));
      }
    });
    main.replaceChildren.apply(main, nodes);
    copyChildren(section.querySelector("h2"), theirs.querySelector("h2"));
    copyChildren(document.getElementById("import-job-detail"), fresh.getElementById("import-job-detail"));
    section.setAttribute("data-working", "false");
    say(fresh);
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
        var freshSection = fresh.getElementById("import-job");
        if (freshSection && freshSection.getAttribute("data-working") === "true") {
          say(fresh);
          copyChildren(document.getElementById("import-job-detail"), fresh.getElementById("import-job-detail"));
          delay = 2000;
        } else {
          finish(fresh);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
      })
      .then(function () {
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
