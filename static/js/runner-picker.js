// The runners' picker of the request form (templates/approvals/_runner_picker.html), as the person types.
// Without this script the picker is a plain search: type a name, press "Search", tick the colleagues found.
// With it, the colleagues found follow the typing (from approvals:runner_search, which offers only
// colleagues of the requester's school and the central team, names only) as native checkboxes, so the
// keyboard and screen readers work as they do for any checkbox; the count is announced in the live region
// #runner-results-status. Ticked colleagues move to "Chosen" before the next results replace the list.
// A static file, not an inline script, so that the content security policy allows it.
(function () {
  "use strict";
  var picker = document.getElementById("runner-picker");
  var input = document.getElementById("runner-query");
  var status = document.getElementById("runner-results-status");
  if (!picker || !input || !status || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var chosenList = picker.querySelector("#runners-chosen ul");
  var resultsList = picker.querySelector("#runner-results ul");
  var searchButton = picker.querySelector("button[name=find_runners]");
  var url = picker.getAttribute("data-search-url");
  var timer = null;
  var latest = 0; // only the answer to the latest question is shown
  var MIN_LENGTH = 2;

  function say(text) {
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  function chosenValues() {
    var values = {};
    Array.prototype.forEach.call(chosenList.querySelectorAll("input[name=runners]"), function (box) {
      values[box.value] = box;
    });
    return values;
  }

  // Ticked results join "Chosen", so that clearing the results never loses a choice.
  function keepTicked() {
    Array.prototype.forEach.call(resultsList.querySelectorAll("input[name=runners]:checked"), function (box) {
      var none = chosenList.querySelector(".runner-none");
      if (none) {
        none.remove();
      }
      chosenList.appendChild(box.closest("li"));
    });
  }

  function item(person) {
    var li = document.createElement("li");
    li.className = "form-check";
    var box = document.createElement("input");
    box.className = "form-check-input";
    box.type = "checkbox";
    box.name = "runners";
    box.value = String(person.id);
    box.id = "runner-" + person.id;
    var label = document.createElement("label");
    label.className = "form-check-label";
    label.htmlFor = box.id;
    label.textContent = person.name + " (" + person.school + ")"; // text, never markup
    li.appendChild(box);
    li.appendChild(label);
    return li;
  }

  function show(answer, query) {
    keepTicked();
    var chosen = chosenValues();
    // A colleague already listed keeps their checkbox: an answer arriving while the person has the keyboard
    // on a result (say, the answer to pressing Enter on the same name) must not take the focus away.
    var listed = {};
    Array.prototype.forEach.call(resultsList.querySelectorAll("input[name=runners]"), function (box) {
      listed[box.value] = box.closest("li");
    });
    var items = [];
    answer.people.forEach(function (person) {
      var key = String(person.id);
      if (!chosen[key]) {
        items.push(listed[key] || item(person));
      }
    });
    Array.prototype.forEach.call(resultsList.querySelectorAll(":scope > li"), function (li) {
      if (items.indexOf(li) < 0) {
        li.remove();
      }
    });
    items.forEach(function (li, index) {
      if (resultsList.children[index] !== li) {
        resultsList.insertBefore(li, resultsList.children[index] || null);
      }
    });
    if (answer.count === 0) {
      say("No colleague matches \u201c" + query + "\u201d.");
    } else {
      var text = answer.count + (answer.count === 1 ? " colleague" : " colleagues") + " found";
      if (answer.count > answer.shown) {
        text += ": the first " + answer.shown + " are shown, type more of the name to narrow it down";
      }
      if (items.length < answer.people.length) {
        text += " (" + (answer.people.length - items.length) + " already chosen)";
      }
      say(text + ".");
    }
  }

  function search() {
    window.clearTimeout(timer);
    var query = input.value.trim();
    var asked = ++latest;
    if (query.length < MIN_LENGTH) {
      resultsList.removeAttribute("aria-busy");
      keepTicked();
      resultsList.replaceChildren();
      say(query ? "Type at least two letters of a name." : "");
      return;
    }
    var params = new URLSearchParams({ q: query });
    // Screen readers wait for the list while a question is out; the answer (or the failure) ends it.
    resultsList.setAttribute("aria-busy", "true");
    window.fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (asked === latest) {
          show(answer, query);
          resultsList.removeAttribute("aria-busy");
        }
      })
      .catch(function () {
        if (asked === latest) {
          resultsList.removeAttribute("aria-busy");
          say("The search did not work just now: press \u201cSearch\u201d to try again.");
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  // Enter in the search box or the "Search" button looks people up here instead of sending the form.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      search();
    }
  });
  if (searchButton) {
    searchButton.addEventListener("click", function (event) {
      event.preventDefault();
      search();
    });
  }
})();
