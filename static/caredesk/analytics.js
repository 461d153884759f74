/* CareDesk analytics: draw each panel's chart from the option the server put beside it
 * (json_script), and redraw on resize. The table under each chart holds the same rows. */
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".analytics-chart").forEach(function (box) {
      if (box.dataset.drawn) return;
      const source = document.getElementById(box.dataset.option);
      if (!source) return;
      const chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      box.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
