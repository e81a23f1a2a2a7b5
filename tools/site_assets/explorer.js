// Kernel-free explorers of the Unrolled course website (built by `make site`).
// Each <figure class="explorer" data-frames="frames/NN/k/"> holds native controls
// (<input type="range"> and <select>, one per control of the live explorer, each with
// data-axis="i") and one <img class="frame">. Moving a control shows the picture rendered
// in advance for the controls' values: data-frames + "i0-i1-…" + ".png". Plain image files,
// no fetch, so the page works from any static host and from file://. After a picture is
// shown, the pictures one step away on every axis are fetched in the background, the
// direction the control last moved in first, so a held key or a drag finds them ready.
(function () {
  "use strict";

  function setUp(fig) {
    var base = fig.getAttribute("data-frames");
    var title = fig.getAttribute("data-title") || "";
    var img = fig.querySelector("img.frame");
    var controls = Array.prototype.slice.call(fig.querySelectorAll("[data-axis]"));
    var labels = controls.map(function (c) {
      if (c.tagName === "SELECT") {
        return Array.prototype.map.call(c.options, function (o) { return o.textContent; });
      }
      return JSON.parse(c.getAttribute("data-labels"));
    });
    var names = controls.map(function (c) {
      var label = fig.querySelector('label[for="' + c.id + '"]');
      return label ? label.textContent : c.id;
    });
    var warm = {};
    var touched = false;
    var lastAxis = 0;
    var lastStep = 1;

    function index() {
      return controls.map(function (c) { return parseInt(c.value, 10); });
    }
    function url(idx) { return base + idx.join("-") + ".png"; }
    var status = fig.querySelector(".ex-status");
    var altsRequested = false;
    var speak = null;
    function flat(idx) {
      var k = 0;
      for (var i = 0; i < idx.length; i++) { k = k * labels[i].length + idx[i]; }
      return k;
    }
    // The text alternative of every frame (written from the figure it shows) is in
    // alts.js beside the frames, loaded as a script on the first move (file:// allows it).
    function loadAlts() {
      if (altsRequested) { return; }
      altsRequested = true;
      var s = document.createElement("script");
      s.src = base + "alts.js";
      s.setAttribute("data-key", base);
      s.onload = function () { var idx = index(); img.alt = describe(idx); announce(); };
      document.head.appendChild(s);
    }
    function describe(idx) {
      var alts = (window.UNROLLED_ALTS || {})[base];
      if (alts && alts[flat(idx)]) { return alts[flat(idx)]; }
      return title + ": " + idx.map(function (v, i) { return names[i] + " = " + labels[i][v]; }).join(", ");
    }
    function announce() {
      if (!status) { return; }
      if (speak) { clearTimeout(speak); }
      // after the keys stop: one announcement, not one per step of a held key
      speak = setTimeout(function () { status.textContent = img.alt; }, 600);
    }
    function prefetch(idx) {
      var order = [];
      order.push([lastAxis, lastStep], [lastAxis, -lastStep]);
      for (var a = 0; a < controls.length; a++) {
        if (a !== lastAxis) { order.push([a, 1], [a, -1]); }
      }
      order.forEach(function (move) {
        var next = idx.slice();
        next[move[0]] += move[1];
        if (next[move[0]] < 0 || next[move[0]] >= labels[move[0]].length) { return; }
        var u = url(next);
        if (warm[u]) { return; }
        var pre = new Image();
        pre.decoding = "async";
        pre.src = u;
        warm[u] = pre;
      });
    }
    function show(axis) {
      var idx = index();
      controls.forEach(function (c, i) {
        var text = labels[i][idx[i]];
        if (c.tagName !== "SELECT") {
          c.setAttribute("aria-valuetext", text);
          var out = document.getElementById(c.id + "-out");
          if (out) { out.textContent = text; }
        }
      });
      if (axis === undefined) { return; }
      touched = true;
      var prev = parseInt(controls[axis].getAttribute("data-was") || idx[axis], 10);
      if (idx[axis] !== prev) { lastStep = idx[axis] > prev ? 1 : -1; }
      lastAxis = axis;
      controls[axis].setAttribute("data-was", idx[axis]);
      img.loading = "eager";
      img.src = url(idx);
      img.alt = describe(idx);
      loadAlts();
      announce();
    }
    controls.forEach(function (c, i) {
      c.setAttribute("data-was", c.value);
      c.addEventListener("input", function () { show(i); });
      c.addEventListener("change", function () { show(i); });
    });
    img.addEventListener("load", function () { if (touched) { prefetch(index()); } });
    // A back/forward visit may restore the controls' values: show the picture they say.
    var restored = url(index());
    if (img.getAttribute("src") !== restored) { img.src = restored; img.alt = describe(index()); }
    show();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.explorer"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
