// Figures page: sort the table by a column and filter it by source, unit and theme.
// Progressive: without this script the table is complete and readable; nothing here is needed to read it.
(function () {
  "use strict";
  var table = document.getElementById("figure-table");
  var form = document.getElementById("figure-filters");
  if (!table || !form || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);

  function applyFilters() {
    var source = form.elements.source.value, unit = form.elements.unit.value, theme = form.elements.theme.value;
    var shown = 0;
    rows.forEach(function (row) {
      var themes = (row.getAttribute("data-themes") || "").split(" ");
      var keep = (!source || row.getAttribute("data-source") === source) &&
        (!unit || row.getAttribute("data-unit") === unit) &&
        (!theme || themes.indexOf(theme) !== -1);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    form.elements.count.value = shown + " of " + rows.length + " figures";
  }

  function cellKey(row, index, numeric) {
    if (numeric === "value") { return parseFloat(row.getAttribute("data-value")) || 0; }
    if (numeric === "year") { return parseInt(row.getAttribute("data-year"), 10) || 0; }
    return (row.cells[index].textContent || "").trim().toLowerCase();
  }

  function sortBy(header, index) {
    var key = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = (key === "value" || key === "year") ? key : null;
    var sorted = rows.slice().sort(function (a, b) {
      var x = cellKey(a, index, numeric), y = cellKey(b, index, numeric);
      if (x < y) { return ascending ? -1 : 1; }
      if (x > y) { return ascending ? 1 : -1; }
      return rows.indexOf(a) - rows.indexOf(b);
    });
    sorted.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    if (!header.hasAttribute("data-sort")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = header.textContent;
    button.addEventListener("click", function () { sortBy(header, index); });
    header.textContent = "";
    header.appendChild(button);
  });
  form.addEventListener("change", applyFilters);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  applyFilters();
}());
