// On a narrow screen every table of the page becomes a stack of cards, one per row, each value under its
// column's name (static/css/portal.css, "Tables on phones"). This labels each cell with its column's header
// (data-label, read by the CSS) and marks the table; a static file, so the content security policy allows it.
// The main list tables (sites register, requests, groups, compliance, exports) carry their labels in the
// template already; those are kept. A table marked .table-keep is left as it is.
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table:not(.table-keep)");
  Array.prototype.forEach.call(tables, function (table) {
    var headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!headRow) {
      return;
    }
    var names = [];
    Array.prototype.forEach.call(headRow.cells, function (cell) {
      var span = cell.colSpan || 1;
      for (var i = 0; i < span; i += 1) {
        names.push(cell.textContent.replace(/\s+/g, " ").trim());
      }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && names[column]) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("table-stack");
  });
})();
