// The briefing's search client: reads the sharded index that generator/search.py writes.
// A query fetches search/manifest.json, the shards of its words' prefixes and the document
// chunks of the results shown; everything comes from this site (no outside request).
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root") || "./";
  var form = document.getElementById("search-page-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var KIND_LABELS = {source: "Source", theme: "Theme", entity: "Entity", figure: "Figure", page: "Page"};
  var MAX_RESULTS = 50;
  var manifest = null;
  var cache = {};

  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(root + path).then(function (response) {
        if (!response.ok) { throw new Error(path + ": " + response.status); }
        return response.json();
      });
    }
    return cache[path];
  }

  function tokens(text) {
    return (text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) || []);
  }

  function shardName(prefix) {
    if (/^[a-z0-9]+$/.test(prefix)) { return prefix; }
    var hex = "";
    new TextEncoder().encode(prefix).forEach(function (b) { hex += (b < 16 ? "0" : "") + b.toString(16); });
    return "x" + hex;
  }

  function wordsOf(query) {
    var stop = new Set(manifest.stopwords);
    return Array.from(new Set(tokens(query))).filter(function (w) { return w.length > 1 && !stop.has(w); });
  }

  // Score of every document for one word: terms equal to it count fully, longer terms it
  // begins count half; rarer terms count more.
  function scoresFor(word, shards) {
    var scores = new Map();
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (term) {
        if (term.indexOf(word) !== 0) { return; }
        var flat = shard[term];
        var idf = Math.log(1 + manifest.documents / (flat.length / 2));
        var factor = term === word ? 1 : 0.5;
        var doc = 0;
        for (var i = 0; i < flat.length; i += 2) {
          doc += flat[i];
          scores.set(doc, (scores.get(doc) || 0) + flat[i + 1] * idf * factor);
        }
      });
    });
    return scores;
  }

  function search(query) {
    var words = wordsOf(query);
    if (!words.length) { return Promise.resolve([]); }
    return Promise.all(words.map(function (word) {
      var wanted = manifest.shards.filter(function (p) { return word.indexOf(p) === 0 || p.indexOf(word) === 0; });
      return Promise.all(wanted.map(function (p) { return getJSON("search/t/" + shardName(p) + ".json"); }))
        .then(function (shards) { return scoresFor(word, shards); });
    })).then(function (perWord) {
      var total = new Map();
      perWord[0].forEach(function (score, doc) {
        var sum = score;
        for (var i = 1; i < perWord.length; i++) {
          if (!perWord[i].has(doc)) { return; }  // every word must match
          sum += perWord[i].get(doc);
        }
        total.set(doc, sum);
      });
      return Array.from(total.keys()).sort(function (a, b) { return (total.get(b) - total.get(a)) || (a - b); });
    });
  }

  function describe(docs) {
    var shown = docs.slice(0, MAX_RESULTS);
    var chunks = Array.from(new Set(shown.map(function (d) { return Math.floor(d / manifest.chunk_size); })));
    return Promise.all(chunks.map(function (c) { return getJSON("search/d/" + c + ".json"); })).then(function (loaded) {
      var byChunk = {};
      chunks.forEach(function (c, i) { byChunk[c] = loaded[i]; });
      return shown.map(function (d) { return byChunk[Math.floor(d / manifest.chunk_size)][d % manifest.chunk_size]; });
    });
  }

  function show(query, total, rows) {
    list.textContent = "";
    rows.forEach(function (row) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "result-kind kind-" + row[2];
      kind.textContent = KIND_LABELS[row[2]] || row[2];
      var link = document.createElement("a");
      link.href = root + row[0];
      link.textContent = row[1];
      var excerpt = document.createElement("p");
      excerpt.className = "result-excerpt";
      excerpt.textContent = row[3];
      item.append(kind, " ", link, excerpt);
      list.appendChild(item);
    });
    status.textContent = total === 0 ? "No results for “" + query + "”."
      : total + " result" + (total === 1 ? "" : "s") + " for “" + query + "”" +
        (total > rows.length ? " (first " + rows.length + " shown)." : ".");
  }

  function run(query) {
    query = query.trim();
    if (!query) { status.textContent = ""; list.textContent = ""; return; }
    status.textContent = "Searching…";
    getJSON("search/manifest.json").then(function (m) {
      manifest = m;
      return search(query);
    }).then(function (docs) {
      return describe(docs).then(function (rows) { show(query, docs.length, rows); });
    }).catch(function () {
      status.textContent = "Search could not load its index. Serve the site over http(s) to search it.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run(input.value);
  });
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  run(initial);
})();
