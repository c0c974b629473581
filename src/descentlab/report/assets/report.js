// descentlab's interactive report: the runs table, each experiment's views and the sweeps,
// drawn with plotly from the JSON embedded in index.html (NOTE [report data] in
// descentlab/report/run_views.py). No other file is fetched (NOTE [offline report]).
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const MAX_TRACES = 40; // curves drawn at once; the filters choose which
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                   "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const CONFIG = { displaylogo: false, responsive: true };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function fmt(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number") return String(Number(value.toPrecision(4)));
    return String(value);
  }

  function paramText(params) {
    return Object.entries(params || {}).map(([k, v]) => k + "=" + fmt(v)).join(" ");
  }

  function select(name, options, value, onchange, label) {
    const box = el("select", { "data-control": name, onchange: (e) => onchange(e.target.value) });
    for (const option of options) {
      const [val, text] = Array.isArray(option) ? option : [option, option];
      box.append(el("option", { value: String(val), text: String(text), selected: String(val) === String(value) }));
    }
    return el("label", {}, label ? label + " " : "", box);
  }

  function uniqueSorted(values) {
    const seen = [...new Set(values.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v));
    return seen.sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
  }

  // -- the runs table --------------------------------------------------------------------------
  const COLUMNS = [
    ["id", "id", true], ["experiment", "experiment", false], ["status", "status", false],
    ["seed", "seed", true], ["trials", "trials", true], ["started", "started", false],
    ["params", "parameters", false],
  ];

  function runsTable() {
    const runs = DATA.runs;
    const table = document.getElementById("runs-table");
    const controls = document.getElementById("runs-controls");
    const state = { experiment: "", status: "", text: "", key: "id", order: "asc" };
    const head = el("tr");
    for (const [key, title, numeric] of COLUMNS) {
      const th = el("th", { "data-key": key, text: title });
      th.addEventListener("click", () => {
        state.order = state.key === key && state.order === "asc" ? "desc" : "asc";
        state.key = key;
        draw();
      });
      head.append(th);
      th.dataset.numeric = numeric ? "1" : "";
    }
    const body = el("tbody");
    table.append(el("thead", {}, head), body);
    const anyOf = (values) => [["", "any"], ...uniqueSorted(values).map((v) => [v, v])];
    controls.append(
      select("runs-experiment", anyOf(runs.map((r) => r.experiment)), "", (v) => { state.experiment = v; draw(); }, "experiment"),
      select("runs-status", anyOf(runs.map((r) => r.status)), "", (v) => { state.status = v; draw(); }, "status"),
      el("label", {}, "parameters contain ", el("input", {
        type: "search", "data-control": "runs-text", placeholder: "lrate=0.1",
        oninput: (e) => { state.text = e.target.value.trim().toLowerCase(); draw(); },
      })),
      el("span", { class: "meta", id: "runs-count" }),
    );

    function cell(run, key) {
      if (key === "params") return paramText(run.params);
      return run[key];
    }

    function draw() {
      const rows = runs.filter((run) =>
        (!state.experiment || run.experiment === state.experiment) &&
        (!state.status || run.status === state.status) &&
        (!state.text || paramText(run.params).toLowerCase().includes(state.text)));
      const numeric = COLUMNS.find((c) => c[0] === state.key)[2];
      const sign = state.order === "asc" ? 1 : -1;
      rows.sort((a, b) => {
        const x = cell(a, state.key), y = cell(b, state.key);
        if (x === y) return a.id - b.id;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return sign * (numeric ? x - y : String(x).localeCompare(String(y)));
      });
      for (const th of head.children) th.dataset.order = th.dataset.key === state.key ? state.order : "";
      body.replaceChildren(...rows.map((run) => el("tr", { "data-run": run.id },
        el("td", {}, el("a", { href: "#" + run.section, text: String(run.id), onclick: () => openSection(run.section) })),
        el("td", { text: run.experiment }),
        el("td", { class: "status-" + run.status, text: run.status, title: run.message || undefined }),
        el("td", { text: fmt(run.seed) }),
        el("td", { text: String(run.trials) }),
        el("td", { text: run.started }),
        el("td", { class: "params", text: paramText(run.params) }))));
      document.getElementById("runs-count").textContent = rows.length + " of " + runs.length + " runs";
    }
    draw();
  }

  // -- curves: a metric, filters by parameter, a toggle per trial --------------------------------
  function curvesView(section, view, box) {
    const trials = section.trials;
    const names = uniqueSorted(trials.flatMap((t) => Object.keys(t.params)));
    const varying = names.filter((n) => new Set(trials.map((t) => JSON.stringify(t.params[n]))).size > 1);
    const state = { metric: view.metrics[0], filters: {}, hidden: new Set(), log: null };
    const plot = el("div", { class: "plot" });
    const toggles = el("div", { class: "toggles" });
    const controls = el("div", { class: "controls" },
      select("metric", view.metrics, state.metric, (v) => { state.metric = v; state.log = null; draw(); }, "metric"));
    for (const name of varying) {
      const values = uniqueSorted(trials.map((t) => t.params[name]).filter((v) => v !== undefined));
      controls.append(select("filter:" + name, [["", "any"], ...values.map((v) => [JSON.stringify(v), fmt(v)])], "",
        (v) => { if (v) state.filters[name] = v; else delete state.filters[name]; draw(); }, name));
    }
    const logBox = el("input", { type: "checkbox", "data-control": "log", onchange: (e) => { state.log = e.target.checked; draw(); } });
    controls.append(el("label", {}, logBox, " log scale"));
    const note = el("span", { class: "meta" });
    controls.append(note);
    box.append(controls, toggles, plot);

    function matching() {
      return trials.map((t, i) => i).filter((i) => (view.series[i] || {})[state.metric] && Object.entries(state.filters).every(
        ([name, value]) => JSON.stringify(trials[i].params[name]) === value));
    }

    function draw() {
      const shown = matching().slice(0, MAX_TRACES);
      toggles.replaceChildren(...shown.map((i) => el("label", {},
        el("input", { type: "checkbox", "data-control": "trial:" + trials[i].id, checked: !state.hidden.has(i),
          onchange: (e) => { if (e.target.checked) state.hidden.delete(i); else state.hidden.add(i); draw(); } }),
        " " + trials[i].label + (trials[i].status === "finished" ? "" : " (" + trials[i].status + ")"))));
      const total = matching().length;
      note.textContent = total > MAX_TRACES ? "first " + MAX_TRACES + " of " + total + " matching trials" : total + " trials";
      const traces = [];
      let positive = true;
      for (const i of shown) {
        const ys = (view.series[i] || {})[state.metric];
        if (!ys || state.hidden.has(i)) continue;
        positive = positive && ys.every((y) => y === null || y > 0);
        traces.push({
          x: ys.map((_, k) => k + view.x_start), y: ys, name: trials[i].label, mode: "lines", type: "scatter",
          line: { color: PALETTE[i % PALETTE.length], dash: trials[i].status === "diverged" ? "dot" : "solid" },
          hovertemplate: trials[i].label + "<br>" + view.x_label + " %{x}<br>" + state.metric + " %{y:.5g}<extra></extra>",
        });
      }
      if (state.log === null) state.log = positive && /loss|distance/.test(state.metric);
      logBox.checked = state.log;
      Plotly.react(plot, traces, {
        title: { text: view.title + ": " + state.metric }, margin: { t: 40, r: 10 },
        xaxis: { title: { text: view.x_label } },
        yaxis: { title: { text: state.metric }, type: state.log && positive ? "log" : "linear" },
        legend: { font: { size: 10 } },
      }, CONFIG);
    }
    draw();
  }

  // -- paths: a choice (rate, batch size, optimizer, surface) and a step slider with play ----------
  function extent(values) {
    const finite = values.flat().filter((v) => v !== null && Number.isFinite(v));
    return [Math.min(...finite), Math.max(...finite)];
  }

  function pathsView(section, view, box) {
    const state = { choice: 0, step: 0, timer: null };
    const plot = el("div", { class: "plot" });
    const slider = el("input", { type: "range", min: 0, max: 0, value: 0, step: 1, "data-control": "step",
      oninput: (e) => { stop(); state.step = Number(e.target.value); draw(); } });
    const stepText = el("span", { class: "meta" });
    const play = el("button", { type: "button", "data-control": "play", text: "▶ play", onclick: toggle });
    box.append(el("div", { class: "controls" },
      select("choice", view.choices.map((c, i) => [i, c.label]), 0, (v) => { stop(); setChoice(Number(v)); }, view.choice_label),
      play, el("label", {}, "step ", slider), stepText), plot);

    const length = (choice) => Math.max(1, ...choice.paths.map((p) => p.x.length));

    function setChoice(index) {
      state.choice = index;
      const n = length(view.choices[index]);
      slider.max = n - 1;
      state.step = n - 1; // the whole path first; play or the slider steps through it
      slider.value = state.step;
      draw();
    }

    function layout(choice) {
      const bg = choice.background || view.background;
      const axes = { xaxis: { title: { text: view.x_label } }, yaxis: { title: { text: view.y_label } } };
      if (bg && bg.type === "line") {
        const [y0, y1] = extent(bg.y);
        axes.xaxis.range = extent(bg.x);
        axes.yaxis.range = [y0 - 0.05 * (y1 - y0), y1 + 0.05 * (y1 - y0)];
      } else if (bg && bg.type === "contour") {
        axes.xaxis.range = extent(bg.x);
        axes.yaxis.range = extent(bg.y);
      }
      return Object.assign({ title: { text: view.title + ": " + choice.label }, margin: { t: 40, r: 10 },
        showlegend: choice.paths.length <= 12, legend: { font: { size: 10 } } }, axes);
    }

    function draw() {
      const choice = view.choices[state.choice];
      const k = state.step;
      const traces = [];
      const bg = choice.background || view.background;
      if (bg && bg.type === "line") {
        traces.push({ x: bg.x, y: bg.y, name: bg.name, mode: "lines", line: { color: "#999" }, hoverinfo: "skip" });
      } else if (bg && bg.type === "contour") {
        traces.push({ type: "contour", x: bg.x, y: bg.y, z: bg.z, name: bg.name, showscale: false,
          colorscale: "Viridis", opacity: 0.55, contours: { coloring: "heatmap" }, hoverinfo: "skip" });
      }
      // Points far outside a fixed window (a diverging run) are left out, as gaps: the browser
      // cannot place an SVG marker 10²² pixels away.
      const box = layout(choice);
      const near = (v, range) => v === null || !range ||
        (v >= range[0] - 10 * (range[1] - range[0]) && v <= range[1] + 10 * (range[1] - range[0]));
      const keep = (xs, ys) => xs.map((x, j) => (near(x, box.xaxis.range) && near(ys[j], box.yaxis.range) ? j : -1));
      choice.paths.forEach((path, i) => {
        const color = PALETTE[i % PALETTE.length];
        const upto = Math.min(k, path.x.length - 1);
        const shown = keep(path.x.slice(0, upto + 1), path.y.slice(0, upto + 1));
        const xs = shown.map((j) => (j < 0 ? null : path.x[j]));
        const ys = shown.map((j) => (j < 0 ? null : path.y[j]));
        traces.push({ x: xs, y: ys, name: path.name,
          mode: "lines+markers", marker: { size: 3, color }, line: { width: 1, color },
          hovertemplate: path.name + "<br>step %{pointNumber}<br>" + view.x_label + " %{x:.5g}<br>" +
            view.y_label + " %{y:.5g}<extra></extra>" });
        traces.push({ x: [xs[upto]], y: [ys[upto]], mode: "markers", showlegend: false,
          marker: { size: 10, color, line: { color: "#000", width: 1 } }, hoverinfo: "skip" });
      });
      for (const mark of choice.marks || view.marks || []) {
        traces.push({ x: [mark.x], y: [mark.y], name: mark.name, mode: "markers",
          marker: { symbol: "star", size: 14, color: "gold", line: { color: "#000", width: 1 } } });
      }
      stepText.textContent = "step " + k + " of " + (length(choice) - 1);
      Plotly.react(plot, traces, box, CONFIG);
    }

    function stop() {
      if (state.timer !== null) clearInterval(state.timer);
      state.timer = null;
      play.textContent = "▶ play";
    }

    function toggle() {
      if (state.timer !== null) { stop(); return; }
      const last = Number(slider.max);
      if (state.step >= last) state.step = 0;
      const stride = Math.max(1, Math.round(last / 150));
      play.textContent = "❚❚ pause";
      state.timer = setInterval(() => {
        state.step = Math.min(last, state.step + stride);
        slider.value = state.step;
        draw();
        if (state.step >= last) stop();
      }, 50);
    }
    setChoice(0);
  }

  // -- sweeps: objective vs one parameter, and the best objective over two ----------------------
  function sweepView(view, box) {
    const params = view.parameters;
    const state = { param: params[0], hx: params[0], hy: params[1] || params[0] };
    const scatter = el("div", { class: "plot", "data-plot": "objective" });
    const heat = el("div", { class: "plot", "data-plot": "heatmap" });
    box.append(
      el("div", { class: "controls" }, select("sweep-param", params, state.param, (v) => { state.param = v; draw(); }, "parameter")),
      scatter,
      el("div", { class: "controls" },
        select("heat-x", params, state.hx, (v) => { state.hx = v; draw(); }, "heatmap x"),
        select("heat-y", params, state.hy, (v) => { state.hy = v; draw(); }, "heatmap y")),
      heat);
    const better = view.direction === "maximize" ? Math.max : Math.min;

    function draw() {
      const ok = view.points.filter((p) => p.objective !== null);
      const bad = view.points.filter((p) => p.objective === null);
      Plotly.react(scatter, [
        { x: ok.map((p) => p.params[state.param]), y: ok.map((p) => p.objective), mode: "markers", type: "scatter",
          name: "trials", text: ok.map((p) => paramText(p.params)),
          hovertemplate: "%{text}<br>" + view.objective + " %{y:.5g}<extra></extra>" },
      ], { title: { text: view.objective + " vs " + state.param + (bad.length ? " (" + bad.length + " diverged or failed, not drawn)" : "") },
        margin: { t: 40, r: 10 }, xaxis: { title: { text: state.param } }, yaxis: { title: { text: view.objective } } }, CONFIG);
      const xs = uniqueSorted(view.points.map((p) => p.params[state.hx]));
      const ys = uniqueSorted(view.points.map((p) => p.params[state.hy]));
      const z = ys.map((y) => xs.map((x) => {
        const cell = ok.filter((p) => p.params[state.hx] === x && p.params[state.hy] === y).map((p) => p.objective);
        return cell.length ? better(...cell) : null;
      }));
      Plotly.react(heat, [{ type: "heatmap", x: xs.map(fmt), y: ys.map(fmt), z, colorscale: "Viridis",
        hovertemplate: state.hx + " %{x}<br>" + state.hy + " %{y}<br>best " + view.objective + " %{z:.5g}<extra></extra>" }],
      { title: { text: "best " + view.objective + " by " + state.hx + " and " + state.hy }, margin: { t: 40, r: 10 },
        xaxis: { title: { text: state.hx }, type: "category" }, yaxis: { title: { text: state.hy }, type: "category" } }, CONFIG);
    }
    draw();
  }

  // -- sections --------------------------------------------------------------------------------
  const rendered = new Set();

  function renderSection(section, details) {
    if (rendered.has(section.id)) return;
    rendered.add(section.id);
    const body = details.querySelector(".section-body");
    for (const view of section.views) {
      const box = el("div", { class: "view", "data-view": view.kind }, el("h3", { text: view.title }));
      body.append(box);
      if (view.kind === "curves") curvesView(section, view, box);
      else if (view.kind === "paths") pathsView(section, view, box);
    }
    if (section.figures.length) {
      body.append(el("h3", { text: "Static figures (PNG; click for the SVG)" }), el("div", { class: "figures" },
        ...section.figures.map((f) => el("figure", {},
          el("a", { href: f.svg }, el("img", { src: f.png, alt: f.caption, loading: "lazy" })),
          el("figcaption", { text: f.caption })))));
    }
  }

  function openSection(id) {
    const details = document.getElementById(id);
    if (details) details.open = true;
  }

  function sections() {
    const root = document.getElementById("experiments");
    DATA.sections.forEach((section, index) => {
      const details = el("details", { class: "section", id: section.id, "data-experiment": section.experiment },
        el("summary", { text: section.title + (section.status && section.status !== "finished" ? " [" + section.status + "]" : "") }),
        el("p", { class: "meta", text: [section.spec, section.summary, section.message].filter(Boolean).join(" — ") }),
        el("div", { class: "section-body" }));
      details.addEventListener("toggle", () => { if (details.open) renderSection(section, details); });
      root.append(details);
      if (index < DATA.open_sections) {
        details.open = true;
        renderSection(section, details);
      }
    });
    if (!DATA.sections.length) root.append(el("p", { class: "meta", text: "No experiment runs in this report." }));
  }

  function sweeps() {
    const root = document.getElementById("sweeps");
    for (const view of DATA.sweeps) {
      const box = el("div", { class: "view", "data-view": view.kind }, el("h3", { text: view.title }));
      root.append(box);
      if (view.kind === "sweep") sweepView(view, box);
      else box.append(el("p", { class: "meta", text: view.text }));
    }
    if (!DATA.sweeps.length) root.append(el("p", { class: "meta", text: "No sweeps in this store." }));
  }

  document.getElementById("summary").textContent = DATA.runs.length + " runs, " + DATA.sections.length +
    " sections, " + DATA.sweeps.length + " sweep views; offline: everything is in this folder.";
  runsTable();
  sections();
  sweeps();
  document.body.dataset.ready = "1";
})();
