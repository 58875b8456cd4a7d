/* Play / pause / step / scrub controls driving any component's frames.
   GG.player(container, {count, fps, label(i), onFrame(i), loop}) -> {set, play, pause, setCount, ...}
   Every frame drawn goes through GG.timed, so GG.perf holds the worst script time per frame. */
(function () {
  "use strict";
  var GG = window.GG;

  GG.player = function (container, options) {
    var count = Math.max(1, options.count || 1);
    var fps = options.fps || 8;
    var index = options.start || 0;
    var playing = false, raf = null, lastTime = 0, carry = 0;
    var onFrame = GG.timed(options.onFrame || function () {}, options.name);

    var root = GG.el("div", { class: "gg-player", "data-frame": String(index) }, container);
    var prev = GG.el("button", { type: "button", class: "gg-btn", "data-role": "prev", title: "step back",
      "aria-label": "step back", text: "\u25C0\u2759" }, root);
    var play = GG.el("button", { type: "button", class: "gg-btn gg-play", "data-role": "play", title: "play",
      "aria-label": "play", text: "\u25B6" }, root);
    var next = GG.el("button", { type: "button", class: "gg-btn", "data-role": "next", title: "step forward",
      "aria-label": "step forward", text: "\u2759\u25B6" }, root);
    var scrub = GG.el("input", { type: "range", min: "0", max: String(count - 1), step: "1",
      value: String(index), class: "gg-scrub", "data-role": "scrub", "aria-label": options.name || "frame" }, root);
    var label = GG.el("span", { class: "gg-label", "data-role": "label" }, root);

    function show(i) {
      index = Math.max(0, Math.min(count - 1, i | 0));
      scrub.value = String(index);
      root.setAttribute("data-frame", String(index));
      label.textContent = options.label ? options.label(index) : (index + 1) + " / " + count;
      onFrame(index);
    }

    function tick(time) {
      if (!playing) return;
      if (!lastTime) lastTime = time;
      carry += (time - lastTime) / 1000 * fps;
      lastTime = time;
      if (carry >= 1) {
        var steps = Math.floor(carry);
        carry -= steps;
        var target = index + steps;
        if (target >= count) {
          if (options.loop === false) { show(count - 1); pause(); return; }
          target = target % count;
        }
        show(target);
      }
      raf = requestAnimationFrame(tick);
    }

    function start() {
      if (playing) return;
      if (index >= count - 1 && options.loop === false) show(0);
      playing = true;
      lastTime = 0;
      carry = 0;
      play.textContent = "\u2759\u2759";
      play.setAttribute("aria-label", "pause");
      play.title = "pause";
      root.classList.add("gg-playing");
      raf = requestAnimationFrame(tick);
    }

    function pause() {
      playing = false;
      if (raf) cancelAnimationFrame(raf);
      raf = null;
      play.textContent = "\u25B6";
      play.setAttribute("aria-label", "play");
      play.title = "play";
      root.classList.remove("gg-playing");
    }

    play.addEventListener("click", function () { if (playing) pause(); else start(); });
    prev.addEventListener("click", function () { pause(); show(index - 1 < 0 ? count - 1 : index - 1); });
    next.addEventListener("click", function () { pause(); show(index + 1 >= count ? 0 : index + 1); });
    scrub.addEventListener("input", function () { pause(); show(parseInt(scrub.value, 10)); });

    return {
      node: root,
      set: show,
      play: start,
      pause: pause,
      redraw: function () { show(index); },
      setCount: function (n) {
        count = Math.max(1, n);
        scrub.max = String(count - 1);
        show(Math.min(index, count - 1));
      },
      get index() { return index; },
      get playing() { return playing; },
      get count() { return count; }
    };
  };
})();
