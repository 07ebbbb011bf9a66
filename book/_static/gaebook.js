/* gaebook: page scripts for the published book (registered by book/_ext/gaebook_html.py).
 *
 * 1. Marks boxes that scroll sideways (wide equations, SymPy output) so the
 *    CSS can show a "scroll sideways" hint under them.
 * 2. Works around sphinx-togglebutton's click handler, which throws
 *    "ReferenceError: button is not defined" when a link or other element
 *    inside a dropdown's title (sphinx-exercise's "Solution to Exercise 7.1")
 *    is clicked: a link is followed, any other click toggles the dropdown.
 * 3. Prepares a page for print and PDF (gaebookPrepareForPrint): every
 *    animation shows its last frame, and a chapter's solutions move, opened,
 *    to a "Solutions" section at the end of the chapter.
 * 4. The γ/λ explorer of chapter 7: recomputes GAE in the page, no kernel.
 */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* ---- 1. scrollable boxes ---------------------------------------------- */
  var SCROLL_BOXES =
    'mjx-container[display="true"], .cell_output .output.text_latex, .cell_output .output.text_html';

  function markOverflow() {
    document.querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      if (box.closest(".gae-explorer, .animation")) return;
      box.classList.toggle("gb-overflows", box.scrollWidth > box.clientWidth + 1);
    });
  }

  function afterMath(fn, tries) {
    // MathJax loads asynchronously: wait (up to ~10 s) until its startup promise exists
    var mj = window.MathJax;
    tries = tries || 0;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(fn);
    else if (tries < 50 && document.querySelector(".math")) setTimeout(function () { afterMath(fn, tries + 1); }, 200);
    else fn();
  }

  onReady(function () {
    afterMath(markOverflow);
    window.addEventListener("resize", markOverflow);
  });
  window.gaebookMarkOverflow = markOverflow;

  /* ---- 2. togglebutton: clicks inside a dropdown title --------------------- */
  document.addEventListener(
    "click",
    function (event) {
      var title = event.target.closest && event.target.closest(".toggle > .admonition-title");
      if (!title) return;
      var t = event.target;
      var handled =
        t === title ||
        t.classList.contains("toggle-button") ||
        t.classList.contains("tb-icon") ||
        t.tagName.toLowerCase() === "polyline" ||
        t.tagName.toLowerCase() === "path";
      if (handled) return; // togglebutton.js knows these targets
      event.stopPropagation(); // keep togglebutton.js from failing on it
      if (t.closest("a")) return; // a link: just follow it
      var button = title.querySelector(".toggle-button");
      if (button) button.click(); // any other part of the title toggles
    },
    true
  );

  /* ---- 3. print and PDF ------------------------------------------------------ */
  function showLastFrames() {
    document.querySelectorAll("input[id^='_anim_slider']").forEach(function (slider) {
      slider.value = slider.max;
      slider.dispatchEvent(new Event("input"));
    });
  }

  function moveSolutionsToEnd() {
    var article = document.querySelector("article.bd-article");
    if (!article || article.querySelector(".gb-solutions-end")) return;
    var solutions = article.querySelectorAll("div.solution");
    if (!solutions.length) return;
    var section = document.createElement("section");
    section.className = "gb-solutions-end";
    var heading = document.createElement("h2");
    heading.textContent = "Solutions to the exercises";
    section.appendChild(heading);
    solutions.forEach(function (solution) {
      solution.classList.remove("toggle-hidden", "dropdown");
      solution.querySelectorAll(".toggle-button").forEach(function (b) {
        b.remove();
      });
      section.appendChild(solution);
    });
    article.appendChild(section);
  }

  window.gaebookPrepareForPrint = function () {
    showLastFrames();
    moveSolutionsToEnd();
  };
  window.addEventListener("beforeprint", window.gaebookPrepareForPrint);

  /* ---- 4. the γ/λ explorer ------------------------------------------------- */
  // The same arithmetic, in the same order, as gaebook.gae:
  //   δ_t = r_t + γ (1 − terminated_t) V'_t − V(s_t)
  //   Â_t = δ_t + γλ (1 − done_t) Â_{t+1},  Â_T = 0.
  function gae(ro, gamma, lam, truncate) {
    var T = ro.rewards.length;
    var delta = new Array(T), carry = new Array(T), adv = new Array(T), done = new Array(T);
    for (var t = 0; t < T; t++) {
      var truncated = ro.truncated[t] || (truncate && t === ro.truncation_step);
      var nextV = truncate && t === ro.truncation_step ? ro.final_value : ro.next_values[t];
      var boot = ro.terminated[t] ? 0 : nextV;
      delta[t] = ro.rewards[t] + gamma * boot - ro.values[t];
      done[t] = ro.terminated[t] || truncated;
    }
    var running = 0;
    var gl = gamma * lam;
    for (t = T - 1; t >= 0; t--) {
      carry[t] = gl * (done[t] ? 0 : 1) * running;
      running = delta[t] + gl * (done[t] ? 0 : 1) * running;
      adv[t] = running;
    }
    return { delta: delta, carry: carry, adv: adv, done: done };
  }

  function fmt(x) {
    return (Math.abs(x) < 5e-4 ? 0 : x).toFixed(3);
  }

  function lambdaColour(colours, lam) {
    var best = null, dist = Infinity;
    Object.keys(colours).forEach(function (k) {
      var d = Math.abs(parseFloat(k) - lam);
      if (d < dist) { dist = d; best = colours[k]; }
    });
    return best || "#0072B2";
  }

  function svgEl(name, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function drawChart(svg, ro, res, colour, truncate) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var T = ro.rewards.length, W = 640, H = 220, pad = 30;
    var ymax = 0;
    for (var t = 0; t < T; t++) ymax = Math.max(ymax, Math.abs(res.delta[t]), Math.abs(res.adv[t]));
    ymax = Math.max(ymax, 1e-9) * 1.1;
    var y = function (v) { return H / 2 - (v / ymax) * (H / 2 - 12); };
    var slot = (W - pad) / T;
    svg.appendChild(svgEl("line", { x1: pad, x2: W, y1: y(0), y2: y(0), stroke: "#888", "stroke-width": 1 }));
    for (t = 0; t < T; t++) {
      var x0 = pad + t * slot;
      var d = res.delta[t], a = res.adv[t];
      svg.appendChild(svgEl("rect", { x: x0 + slot * 0.1, width: slot * 0.8, y: Math.min(y(0), y(d)),
        height: Math.abs(y(d) - y(0)), fill: "#c8c8c8" }));
      svg.appendChild(svgEl("rect", { x: x0 + slot * 0.3, width: slot * 0.4, y: Math.min(y(0), y(a)),
        height: Math.abs(y(a) - y(0)), fill: colour }));
      var label = svgEl("text", { x: x0 + slot / 2, y: H - 2, "text-anchor": "middle", "font-size": 11 });
      label.textContent = String(t);
      svg.appendChild(label);
      if (res.done[t] && t < T - 1) {
        var xb = x0 + slot;
        svg.appendChild(svgEl("line", { x1: xb, x2: xb, y1: 4, y2: H - 14, stroke: "#333",
          "stroke-dasharray": "4 3", "stroke-width": 1.5 }));
        var txt = svgEl("text", { x: xb + 3, y: 14, "font-size": 11 });
        txt.textContent = truncate && t === ro.truncation_step ? "time limit: carry resets" : "episode ends";
        svg.appendChild(txt);
      }
    }
    var axis = svgEl("text", { x: 2, y: 12, "font-size": 11 });
    axis.textContent = "grey δ_t, colour Â_t";
    svg.appendChild(axis);
  }

  function buildExplorer(root) {
    var ro = JSON.parse(root.dataset.rollout);
    var T = ro.rewards.length;
    root.innerHTML =
      '<div class="gx-controls">' +
      '<label>γ <input type="range" class="gx-gamma" min="0" max="1" step="0.01" aria-label="discount γ">' +
      '<output class="gx-gamma-out"></output></label>' +
      '<label>λ <input type="range" class="gx-lam" min="0" max="1" step="0.01" aria-label="GAE λ">' +
      '<output class="gx-lam-out"></output></label>' +
      '<label><input type="checkbox" class="gx-trunc"> time limit after step ' + ro.truncation_step + "</label>" +
      "</div>" +
      '<p class="gx-summary"></p>' +
      '<svg class="gx-chart" viewBox="0 0 640 220" role="img" aria-label="TD errors and advantages"></svg>' +
      '<div class="gx-table-wrap"><table><thead><tr><th>t</th><th>r<sub>t</sub></th><th>V(s<sub>t</sub>)</th>' +
      "<th>V′<sub>t</sub></th><th>δ<sub>t</sub></th>" +
      '<th title="γλ(1 − done_t) Â_(t+1), what step t inherits from step t + 1">carry</th>' +
      "<th>Â<sub>t</sub></th></tr></thead><tbody></tbody></table></div>";
    var gammaIn = root.querySelector(".gx-gamma"), lamIn = root.querySelector(".gx-lam");
    var truncIn = root.querySelector(".gx-trunc");
    gammaIn.value = ro.gamma;
    lamIn.value = ro.lam;
    var tbody = root.querySelector("tbody");
    function update() {
      var gamma = parseFloat(gammaIn.value), lam = parseFloat(lamIn.value), truncate = truncIn.checked;
      root.dataset.gamma = gamma;
      root.dataset.lam = lam;
      root.querySelector(".gx-gamma-out").textContent = gamma.toFixed(2);
      root.querySelector(".gx-lam-out").textContent = lam.toFixed(2);
      var res = gae(ro, gamma, lam, truncate);
      var gl = gamma * lam;
      root.querySelector(".gx-summary").textContent =
        "effective decay γλ = " + gl.toFixed(4) + "; effective horizon 1/(1−γλ) = " +
        (gl < 1 ? (1 / (1 - gl)).toFixed(1) + " steps" : "unbounded (the episode end cuts it)");
      var rows = [];
      for (var t = 0; t < T; t++) {
        var nextV = truncate && t === ro.truncation_step ? ro.final_value : ro.next_values[t];
        var cells = [
          ["t", t, String(t)],
          ["reward", ro.rewards[t]],
          ["value", ro.values[t]],
          ["next_value", ro.terminated[t] ? null : nextV],
          ["delta", res.delta[t]],
          ["carry", res.carry[t]],
          ["adv", res.adv[t]],
        ];
        var cls = res.done[t] && t < T - 1 ? ' class="gx-episode-end"' : "";
        rows.push("<tr" + cls + ">" + cells.map(function (c) {
          if (c[2] !== undefined) return "<td>" + c[2] + "</td>";
          if (c[1] === null) return '<td data-name="' + c[0] + '" title="terminal: not used">—</td>';
          return '<td data-name="' + c[0] + '" data-t="' + t + '" data-value="' + c[1].toPrecision(17) +
            '" title="' + c[1].toPrecision(17) + '">' + fmt(c[1]) + "</td>";
        }).join("") + "</tr>");
      }
      tbody.innerHTML = rows.join("");
      drawChart(root.querySelector(".gx-chart"), ro, res, lambdaColour(ro.lambda_colours, lam), truncate);
    }
    [gammaIn, lamIn].forEach(function (el) { el.addEventListener("input", update); });
    truncIn.addEventListener("change", update);
    root.gaebookUpdate = update;
    update();
  }

  onReady(function () {
    document.querySelectorAll(".gae-explorer[data-rollout]").forEach(buildExplorer);
  });
})();
