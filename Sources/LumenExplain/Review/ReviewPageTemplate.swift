/// The review page's HTML, CSS and script; `ReviewPage` fills in the title, the storage key and
/// the data. Every text from the data goes in through `textContent`, never as markup.
enum ReviewPageTemplate {
    static let page = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{TITLE}}</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f4f5; color: #18181b; }
        header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ddd; padding: 10px 16px; }
        h1 { font-size: 17px; margin: 0 0 6px; }
        .note { color: #52525b; font-size: 12px; margin: 0 0 8px; }
        .controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
        .controls label { font-size: 12px; color: #3f3f46; }
        select, input, button { font: inherit; font-size: 13px; }
        #grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; padding: 16px; }
        .card { background: #fff; border: 2px solid transparent; border-radius: 8px; padding: 6px; cursor: pointer; box-shadow: 0 1px 2px #0002; }
        .card:focus, .card.current { outline: none; border-color: #2563eb; }
        .card img { width: 100%; height: 150px; object-fit: contain; background: #27272a; border-radius: 4px; display: block; }
        .card .failed { height: 150px; display: flex; align-items: center; justify-content: center; background: #fee2e2; color: #991b1b; font-size: 12px; padding: 6px; border-radius: 4px; }
        .name { font-size: 12px; color: #52525b; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .label { font-weight: 600; }
        .meta { font-size: 12px; color: #3f3f46; }
        .badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; margin-left: 4px; }
        .agree { background: #dcfce7; color: #166534; } .disagree { background: #fee2e2; color: #991b1b; } .unsure { background: #fef9c3; color: #854d0e; }
        #viewer { position: fixed; inset: 0; z-index: 3; background: #000d; color: #fff; display: flex; flex-direction: column; padding: 16px; gap: 10px; }
        #viewer[hidden] { display: none; }
        .pair { display: flex; gap: 12px; flex: 1; min-height: 0; }
        .pair figure { flex: 1; margin: 0; display: flex; flex-direction: column; min-width: 0; }
        .pair img { flex: 1; min-height: 0; object-fit: contain; width: 100%; }
        .pair figcaption { font-size: 12px; color: #d4d4d8; text-align: center; }
        #info { font-size: 13px; }
        #info .top { color: #d4d4d8; }
        .verdicts button { margin-right: 6px; padding: 4px 12px; border-radius: 6px; border: 1px solid #a1a1aa; background: #3f3f46; color: #fff; cursor: pointer; }
        .verdicts button.chosen { background: #2563eb; border-color: #2563eb; }
        .keys { font-size: 12px; color: #a1a1aa; }
        </style>
        </head>
        <body>
        <header>
        <h1>{{TITLE}}</h1>
        <p class="note">EigenCAM maps are class-agnostic: the same map whatever the class. Share: the explained layer's
        variance on the map's component. Deletion AUC (with --metrics): lower is more faithful; compare it with the
        random-deletion baseline beside it. Keys: arrows move, Enter opens, A / D / U record agree / disagree / unsure
        (and move on), Esc closes. Verdicts stay in this browser until exported.</p>
        <div class="controls">
        <label>Sort <select id="sort">
        <option value="name">name</option>
        <option value="confidence-desc">confidence, high first</option>
        <option value="confidence-asc">confidence, low first</option>
        <option value="share-desc">share, high first</option>
        <option value="share-asc">share, low first</option>
        <option value="faithfulness">faithfulness, best first</option>
        </select></label>
        <label>Class <select id="class"><option value="">all</option></select></label>
        <label>Confidence ≥ <input id="confidence" type="number" min="0" max="1" step="0.05" value="0" style="width:5em"></label>
        <label>Share ≥ <input id="share" type="number" min="0" max="1" step="0.05" value="0" style="width:5em"></label>
        <label>Show <select id="show">
        <option value="all">all</option><option value="unreviewed">unreviewed</option>
        <option value="agree">agree</option><option value="disagree">disagree</option><option value="unsure">unsure</option>
        <option value="failed">failed</option>
        </select></label>
        <label>Name <input id="search" type="search" placeholder="filter" style="width:9em"></label>
        <button id="export">Export verdicts (CSV)</button>
        <span id="count" class="meta"></span>
        </div>
        </header>
        <main id="grid"></main>
        <div id="viewer" hidden>
        <div class="pair">
        <figure><img id="original" alt="original"><figcaption>original</figcaption></figure>
        <figure><img id="overlay" alt="overlay"><figcaption>EigenCAM overlay</figcaption></figure>
        </div>
        <div id="info"></div>
        <div class="verdicts">
        <button data-verdict="agree">Agree (A)</button><button data-verdict="disagree">Disagree (D)</button><button data-verdict="unsure">Unsure (U)</button>
        <button id="close">Close (Esc)</button>
        <span class="keys">← → previous / next</span>
        </div>
        </div>
        <script type="application/json" id="data">{{DATA}}</script>
        <script>
        "use strict";
        const data = JSON.parse(document.getElementById("data").textContent);
        const storageKey = "{{STORAGE_KEY}}";
        let verdicts = {};
        try { verdicts = JSON.parse(localStorage.getItem(storageKey) || "{}"); } catch (e) { verdicts = {}; }
        let order = [];
        let current = -1;
        const $ = (id) => document.getElementById(id);
        const fmt = (x) => (x === undefined ? "–" : x.toFixed(2));
        const pct = (x) => (x === undefined ? "–" : (100 * x).toFixed(1) + "%");
        function el(tag, cls, text) {
          const e = document.createElement(tag);
          if (cls) e.className = cls;
          if (text !== undefined) e.textContent = text;
          return e;
        }
        const classes = {};
        for (const d of data) if (d.label) classes[d.label] = (classes[d.label] || 0) + 1;
        for (const name of Object.keys(classes).sort()) {
          const o = el("option", "", name + " (" + classes[name] + ")");
          o.value = name;
          $("class").appendChild(o);
        }
        function faithGap(d) { return d.deletion === undefined ? Infinity : d.deletion - d.random; }
        function visible() {
          const cls = $("class").value, show = $("show").value, q = $("search").value.toLowerCase();
          const minConf = parseFloat($("confidence").value) || 0, minShare = parseFloat($("share").value) || 0;
          const keep = [];
          data.forEach((d, i) => {
            const v = verdicts[d.name] && verdicts[d.name].verdict;
            if (cls && d.label !== cls) return;
            if (show === "failed" ? d.status !== "failed" : show === "unreviewed" ? v : show !== "all" && v !== show) return;
            if (q && !d.name.toLowerCase().includes(q)) return;
            if (minConf > 0 && !((d.confidence || 0) >= minConf)) return;
            if (minShare > 0 && !((d.share || 0) >= minShare)) return;
            keep.push(i);
          });
          const by = $("sort").value;
          const num = (x, missing) => (x === undefined ? missing : x);
          const cmp = {
            "name": (a, b) => (data[a].name < data[b].name ? -1 : data[a].name > data[b].name ? 1 : 0),
            "confidence-desc": (a, b) => num(data[b].confidence, -1) - num(data[a].confidence, -1),
            "confidence-asc": (a, b) => num(data[a].confidence, 2) - num(data[b].confidence, 2),
            "share-desc": (a, b) => num(data[b].share, -1) - num(data[a].share, -1),
            "share-asc": (a, b) => num(data[a].share, 2) - num(data[b].share, 2),
            "faithfulness": (a, b) => faithGap(data[a]) - faithGap(data[b]),
          }[by];
          return keep.sort((a, b) => cmp(a, b) || a - b);
        }
        function card(i, pos) {
          const d = data[i];
          const c = el("div", "card");
          c.tabIndex = 0;
          c.dataset.name = d.name;
          if (d.thumbnail) {
            const img = el("img");
            img.src = d.thumbnail;
            img.alt = d.name;
            c.appendChild(img);
          } else {
            c.appendChild(el("div", "failed", d.error || "failed"));
          }
          c.appendChild(el("div", "name", d.name));
          const line = el("div", "", "");
          line.appendChild(el("span", "label", d.label || (d.status === "failed" ? "failed" : "no prediction")));
          if (d.status !== "failed") line.appendChild(el("span", "meta", " " + fmt(d.confidence) + " · share " + pct(d.share)));
          const v = verdicts[d.name] && verdicts[d.name].verdict;
          if (v) line.appendChild(el("span", "badge " + v, v));
          c.appendChild(line);
          if (d.deletion !== undefined) c.appendChild(el("div", "meta", "deletion AUC " + fmt(d.deletion) + " (random " + fmt(d.random) + ")"));
          c.addEventListener("click", () => open(pos));
          c.addEventListener("keydown", (e) => { if (e.key === "Enter") open(pos); });
          return c;
        }
        function render() {
          order = visible();
          const grid = $("grid");
          grid.textContent = "";
          order.forEach((i, pos) => grid.appendChild(card(i, pos)));
          const reviewed = data.filter((d) => verdicts[d.name]).length;
          $("count").textContent = order.length + " shown of " + data.length + ", " + reviewed + " reviewed";
        }
        function open(pos) {
          if (pos < 0 || pos >= order.length) return;
          current = pos;
          const d = data[order[pos]];
          $("original").src = d.original;
          $("overlay").src = d.overlay || "";
          const info = $("info");
          info.textContent = "";
          info.appendChild(el("div", "label", d.name + ": " + (d.label || d.error || "no prediction") + " " + fmt(d.confidence)));
          info.appendChild(el("div", "top", "top: " + d.top.map((t) => t[0] + " " + t[1].toFixed(2)).join(", ") +
            (d.boxes ? " · " + d.boxes + " box(es)" : "") + " · layer " + (d.layer || "–") + " · share " + pct(d.share) +
            (d.deletion !== undefined ? " · deletion AUC " + fmt(d.deletion) + " (random " + fmt(d.random) + ", lower is better)" : "")));
          const v = verdicts[d.name] && verdicts[d.name].verdict;
          for (const b of document.querySelectorAll("[data-verdict]")) b.classList.toggle("chosen", b.dataset.verdict === v);
          $("viewer").hidden = false;
        }
        function close() {
          $("viewer").hidden = true;
          const cards = $("grid").children;
          if (current >= 0 && current < cards.length) cards[current].focus();
        }
        function setVerdict(verdict) {
          if (current < 0 || current >= order.length) return;
          const d = data[order[current]];
          verdicts[d.name] = { verdict: verdict, at: new Date().toISOString() };
          try { localStorage.setItem(storageKey, JSON.stringify(verdicts)); } catch (e) {}
          // Move on: to the next image, or to the one that took this place when the filter hides it now.
          const pos = current;
          render();
          const still = order.findIndex((i) => data[i].name === d.name);
          if (order.length === 0) close();
          else open(still >= 0 ? Math.min(still + 1, order.length - 1) : Math.min(pos, order.length - 1));
        }
        function csvField(s) { s = String(s); return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
        function verdictsCSV() {
          const rows = ["image,label,confidence,explained_variance,verdict,reviewed_at"];
          for (const d of data) {
            const v = verdicts[d.name];
            if (!v) continue;
            rows.push([d.image, d.label || "", d.confidence === undefined ? "" : d.confidence,
              d.share === undefined ? "" : d.share, v.verdict, v.at].map(csvField).join(","));
          }
          return rows.join("\n") + "\n";
        }
        $("export").addEventListener("click", () => {
          const a = el("a");
          a.href = URL.createObjectURL(new Blob([verdictsCSV()], { type: "text/csv" }));
          a.download = "verdicts.csv";
          document.body.appendChild(a);
          a.click();
          a.remove();
        });
        for (const b of document.querySelectorAll("[data-verdict]")) b.addEventListener("click", () => setVerdict(b.dataset.verdict));
        $("close").addEventListener("click", close);
        for (const id of ["sort", "class", "confidence", "share", "show", "search"]) {
          $(id).addEventListener("input", render);
          $(id).addEventListener("change", render);
        }
        document.addEventListener("keydown", (e) => {
          if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
          if (!$("viewer").hidden) {
            if (e.key === "ArrowRight") open(current + 1);
            else if (e.key === "ArrowLeft") open(current - 1);
            else if (e.key === "Escape") close();
            else if (e.key === "a" || e.key === "A") setVerdict("agree");
            else if (e.key === "d" || e.key === "D") setVerdict("disagree");
            else if (e.key === "u" || e.key === "U") setVerdict("unsure");
            else return;
            e.preventDefault();
            return;
          }
          const cards = Array.from($("grid").children);
          const at = cards.indexOf(document.activeElement);
          if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
            const next = Math.max(0, Math.min(cards.length - 1, at + (e.key === "ArrowRight" ? 1 : -1)));
            if (cards[next]) cards[next].focus();
            e.preventDefault();
          }
        });
        render();
        </script>
        </body>
        </html>
        """#
}
