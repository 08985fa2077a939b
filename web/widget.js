/*
 * Embeddable chat bubble for any agency web page:
 *
 *   <script src="https://<bot-host>/webhooks/webchat/widget.js"
 *           data-title="ถามตอบบริการภาครัฐ" data-accent="#0b5cad" async></script>
 *
 * A round button in the corner opens the bot's chat page
 * (/webhooks/webchat/, same folder as this file) in an iframe; below 600 px
 * wide the chat takes the whole screen. Everything lives in ONE container
 * appended to <body>, inside a shadow root: the host page's DOM and styles
 * are never read or changed beyond it. The chat page itself may only be
 * framed by the origins in WEBCHAT_FRAME_ANCESTORS (its CSP frame-ancestors).
 *
 * data-accent: the bubble's colour (#rgb or #rrggbb). The text colour is
 * picked for contrast (white or near-black); a colour that reaches 4.5:1
 * with neither is refused with a console message and the default is used.
 */
(function () {
  "use strict";

  var DEFAULT_ACCENT = "#0b5cad";
  var DARK = "#111827";
  var LIGHT = "#ffffff";
  var MIN_CONTRAST = 4.5; // WCAG 2.1 AA, normal text
  var TEXT = {
    title: "ถามตอบบริการภาครัฐ",
    open: "เปิดหน้าต่างแชทถามตอบ",
    close: "ปิดหน้าต่างแชท",
    bubble: "แชท",
  };

  var script = document.currentScript;
  if (!script || !script.src) return;
  if (window.__thaiCitizenChatWidget) return; // loaded twice: one bubble
  window.__thaiCitizenChatWidget = true;

  // ---- colour and contrast (WCAG relative luminance) ----

  function parseHex(value) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value || "").trim());
    if (!m) return null;
    var hex = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map(function (i) {
      return parseInt(hex.slice(i, i + 2), 16);
    });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  // {accent, text} readable together, or the default with a console message.
  function colours(requested) {
    var rgb = parseHex(requested);
    if (requested && !rgb) {
      console.warn("thai-citizen-chat: data-accent must be #rgb or #rrggbb; using " + DEFAULT_ACCENT);
    }
    if (rgb) {
      var onLight = contrast(rgb, parseHex(LIGHT));
      var onDark = contrast(rgb, parseHex(DARK));
      if (Math.max(onLight, onDark) >= MIN_CONTRAST) {
        return { accent: requested.trim(), text: onLight >= onDark ? LIGHT : DARK };
      }
      console.warn(
        "thai-citizen-chat: data-accent " + requested + " is refused: text on it reaches only " +
          Math.max(onLight, onDark).toFixed(2) + ":1 (WCAG AA needs 4.5:1); using " + DEFAULT_ACCENT
      );
    }
    return { accent: DEFAULT_ACCENT, text: LIGHT };
  }

  // ---- the widget ----

  var chatUrl = new URL("./?embed=1", script.src).href;
  var title = (script.getAttribute("data-title") || "").trim().slice(0, 80) || TEXT.title;
  var colour = colours(script.getAttribute("data-accent"));

  var CSS =
    ":host{all:initial}" +
    "*{box-sizing:border-box}" +
    ".bubble{position:fixed;right:20px;bottom:20px;z-index:2147483646;display:flex;align-items:center;" +
    "gap:8px;min-width:56px;height:56px;padding:0 20px;border:0;border-radius:28px;background:var(--accent);" +
    "color:var(--on-accent);font:700 16px/1 'Noto Sans Thai','Sarabun','Loma',sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".bubble:focus-visible,.close:focus-visible{outline:3px solid #f2a900;outline-offset:3px}" +
    ".bubble svg{width:24px;height:24px;fill:currentColor}" +
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483647;display:none;flex-direction:column;" +
    "width:380px;height:min(640px,calc(100vh - 108px));border-radius:14px;overflow:hidden;background:#fff;" +
    "box-shadow:0 10px 40px rgba(0,0,0,.3)}" +
    ".panel.open{display:flex}" +
    ".bar{display:flex;align-items:center;gap:8px;padding:10px 12px;background:var(--accent);color:var(--on-accent);" +
    "font:700 16px/1.4 'Noto Sans Thai','Sarabun','Loma',sans-serif}" +
    ".bar h2{flex:1;margin:0;font:inherit}" +
    ".close{width:36px;height:36px;border:0;border-radius:18px;background:transparent;color:inherit;" +
    "font:700 22px/1 sans-serif;cursor:pointer}" +
    "iframe{flex:1;width:100%;border:0;background:#fff}" +
    "@media (max-width:600px){.panel{right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0}" +
    ".panel.open~.bubble{display:none}}";

  var container = document.createElement("div");
  container.setAttribute("data-thai-citizen-chat", "");
  var root = container.attachShadow({ mode: "open" });
  root.host.style.setProperty("--accent", colour.accent);
  root.host.style.setProperty("--on-accent", colour.text);

  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var bar = document.createElement("div");
  bar.className = "bar";
  var heading = document.createElement("h2");
  heading.textContent = title;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", TEXT.close);
  close.textContent = "×";
  bar.appendChild(heading);
  bar.appendChild(close);
  panel.appendChild(bar);

  var bubble = document.createElement("button");
  bubble.type = "button";
  bubble.className = "bubble";
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "panel");
  bubble.setAttribute("aria-label", TEXT.open + ": " + title);
  var svgNs = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(svgNs, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  var path = document.createElementNS(svgNs, "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z");
  icon.appendChild(path);
  var label = document.createElement("span");
  label.textContent = TEXT.bubble;
  bubble.appendChild(icon);
  bubble.appendChild(label);

  root.appendChild(panel);
  root.appendChild(bubble);

  var frame = null;
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = title;
      frame.src = chatUrl;
      frame.setAttribute("referrerpolicy", "no-referrer");
      panel.appendChild(frame);
    }
    panel.classList.add("open");
    bubble.setAttribute("aria-expanded", "true");
    close.focus();
  }
  function shut() {
    panel.classList.remove("open");
    bubble.setAttribute("aria-expanded", "false");
    bubble.focus();
  }
  bubble.addEventListener("click", function () {
    if (panel.classList.contains("open")) shut();
    else open();
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });

  function mount() {
    document.body.appendChild(container);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.thaiCitizenChat = { open: open, close: shut }; // for the agency's own buttons
})();
