/*
 * Balagh web chat widget: one <script> tag.
 *
 *   <script src="https://desk.example/widget/balagh-widget.js"
 *           data-server="https://bot.example" defer></script>
 *
 * Arabic, right-to-left; socket.io to the Rasa server; the session token issued by the
 * server is kept in localStorage, so a reload or a dropped connection continues the same
 * conversation and shows what arrived meanwhile. Buttons become quick replies; files
 * (images, PDF) are uploaded and sent as attachments. Keyboard and screen-reader friendly.
 *
 * `data-session="<token>"` (the desk's page behind a notice's link back to the chat, /c/…)
 * replaces the stored token and opens the panel: the widget continues that conversation
 * (the server confirms the token, the history is loaded as after a reload). The widget's
 * style is a constructed stylesheet where the browser has them, so that a page whose
 * Content-Security-Policy allows no inline style (the desk's) shows it too.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var server = (script && script.getAttribute("data-server")) || window.location.origin;
  var base = script ? script.src.replace(/[^/]*$/, "") : "/widget/";
  var STORE = "balagh.session";
  var given = script && script.getAttribute("data-session");

  var css = [
    ".bl-root{position:fixed;bottom:16px;left:16px;z-index:2147483000;font-family:'Noto Sans Arabic','Noto Naskh Arabic',Tahoma,sans-serif;direction:rtl}",
    ".bl-launch{background:#0b6e4f;color:#fff;border:0;border-radius:28px;padding:12px 20px;font-size:16px;cursor:pointer}",
    ".bl-launch:focus-visible,.bl-panel button:focus-visible,.bl-panel input:focus-visible,.bl-log:focus-visible{outline:3px solid #f4b400;outline-offset:2px}",
    ".bl-panel{display:none;flex-direction:column;width:360px;height:520px;max-height:80vh;background:#fff;border:1px solid #ccd;border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.2);overflow:hidden}",
    ".bl-open .bl-panel{display:flex}.bl-open .bl-launch{display:none}",
    ".bl-head{background:#0b6e4f;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}",
    ".bl-head h2{font-size:16px;margin:0}.bl-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer}",
    ".bl-log{flex:1;overflow-y:auto;padding:12px;background:#f6f8f7}",
    ".bl-msg{max-width:85%;margin:6px 0;padding:8px 12px;border-radius:12px;white-space:pre-wrap;line-height:1.6}",
    ".bl-bot{background:#fff;border:1px solid #dde;margin-left:auto}.bl-user{background:#d7efe6;margin-right:auto}",
    ".bl-replies{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}",
    ".bl-reply{background:#fff;border:1px solid #0b6e4f;color:#0b6e4f;border-radius:16px;padding:6px 12px;cursor:pointer;font-size:14px}",
    ".bl-typing{display:none;padding:0 14px 6px;color:#667;font-size:13px}.bl-typing.on{display:block}",
    ".bl-form{display:flex;gap:6px;padding:8px;border-top:1px solid #dde}",
    ".bl-form input[type=text]{flex:1;padding:8px;border:1px solid #bbc;border-radius:8px;font-size:15px}",
    ".bl-form button,.bl-attach{background:#0b6e4f;color:#fff;border:0;border-radius:8px;padding:8px 12px;cursor:pointer}",
    ".bl-attach{background:#fff;color:#0b6e4f;border:1px solid #0b6e4f}",
    ".bl-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.bl-root{left:0;bottom:0;right:0}.bl-panel{width:100vw;height:100vh;max-height:100vh;border-radius:0}}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function addStyle() {
    try {  // not an inline <style>: allowed under a CSP with no 'unsafe-inline'
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      return;
    } catch (e) { /* an older browser: the <style> element below */ }
    var style = el("style"); style.textContent = css; document.head.appendChild(style);
  }

  function build() {
    addStyle();
    var root = el("div", { "class": "bl-root", dir: "rtl", lang: "ar", id: "balagh-widget" });
    var launch = el("button", { "class": "bl-launch", type: "button", "aria-expanded": "false",
                                "aria-controls": "bl-panel" }, "محادثة بلاغ رقمي");
    var panel = el("section", { "class": "bl-panel", id: "bl-panel", role: "dialog",
                                "aria-label": "محادثة بلاغ رقمي", dir: "rtl" });
    var head = el("div", { "class": "bl-head" });
    head.appendChild(el("h2", {}, "بلاغ رقمي – مركز آمر"));
    var close = el("button", { "class": "bl-close", type: "button", "aria-label": "إغلاق المحادثة" }, "×");
    head.appendChild(close);
    var log = el("div", { "class": "bl-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                          tabindex: "0", "aria-label": "الرسائل" });
    var typing = el("div", { "class": "bl-typing", "aria-live": "polite" }, "");
    var form = el("form", { "class": "bl-form" });
    var label = el("label", { "for": "bl-input", "class": "bl-sr" }, "اكتب رسالتك");
    var input = el("input", { id: "bl-input", type: "text", autocomplete: "off", maxlength: "2000",
                              placeholder: "اكتب رسالتك…" });
    var file = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp,application/pdf",
                             "class": "bl-sr", id: "bl-file", tabindex: "-1",
                             "aria-label": "ملف مرفق" });
    var attach = el("button", { "class": "bl-attach", type: "button", "aria-label": "إرفاق صورة أو ملف PDF" }, "📎");
    var send = el("button", { type: "submit" }, "إرسال");
    [label, input, file, attach, send].forEach(function (n) { form.appendChild(n); });
    [head, log, typing, form].forEach(function (n) { panel.appendChild(n); });
    root.appendChild(launch); root.appendChild(panel);
    document.body.appendChild(root);
    return { root: root, launch: launch, close: close, log: log, typing: typing, form: form,
             input: input, file: file, attach: attach };
  }

  function start() {
    var ui = build();
    if (given) { window.localStorage.setItem(STORE, given); }  // a link back to a conversation
    var token = window.localStorage.getItem(STORE);
    var socket = null;
    var ready = false;   // the server confirmed our session
    var pending = [];    // messages typed before that (sent in order once ready)
    var agentTyping = null;  // hides «الموظف يكتب…» when no word from the agent follows

    function show(from, text, buttons) {
      var bubble = el("div", { "class": "bl-msg " + (from === "user" ? "bl-user" : "bl-bot"),
                               "data-from": from }, text);
      ui.log.appendChild(bubble);
      if (buttons && buttons.length) {
        var group = el("div", { "class": "bl-replies", role: "group", "aria-label": "خيارات" });
        buttons.forEach(function (b) {
          var button = el("button", { "class": "bl-reply", type: "button" }, b.title);
          button.addEventListener("click", function () {
            group.remove(); say(b.payload, b.title);
          });
          group.appendChild(button);
        });
        ui.log.appendChild(group);
      }
      ui.log.scrollTop = ui.log.scrollHeight;
    }

    function say(message, shown, metadata) {
      show("user", shown || message);
      var data = { message: message, metadata: metadata || {} };
      if (ready) socket.emit("user_uttered", data); else pending.push(data);
    }

    function loadHistory() {
      if (!token) return Promise.resolve();
      return fetch(server + "/webhooks/webchat/history?session=" + encodeURIComponent(token))
        .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
        .then(function (data) {
          ui.log.textContent = "";
          var messages = data.messages || [];
          messages.forEach(function (m, i) {
            show(m.from, m.text, i === messages.length - 1 ? m.buttons : null);
          });
        })
        .catch(function () { /* offline: the socket will reconnect */ });
    }

    function connect() {
      socket = window.io(server, { path: "/socket.io", transports: ["websocket", "polling"] });
      socket.on("connect", function () { socket.emit("session_request", { session_id: token }); });
      socket.on("disconnect", function () { ready = false; });
      socket.on("session_confirm", function (issued) {
        var changed = issued !== token;
        token = issued; window.localStorage.setItem(STORE, token);
        var flush = function () {
          ready = true;
          while (pending.length) socket.emit("user_uttered", pending.shift());
        };
        if (changed && !pending.length) { ui.log.textContent = ""; }
        if (changed) { flush(); } else { loadHistory().then(flush); }
      });
      socket.on("bot_uttered", function (m) {
        clearTimeout(agentTyping); ui.typing.classList.remove("on"); ui.typing.textContent = "";
        show("bot", m.text || "", m.quick_replies || m.buttons);
      });
      // The bot while it answers, or the agent who took the chat while she types (the desk
      // repeats it every few seconds: if nothing follows, it goes by itself).
      socket.on("bot_typing", function (t) {
        clearTimeout(agentTyping);
        ui.typing.classList.toggle("on", !!t.typing);
        ui.typing.textContent = t.typing ? (t.agent ? "الموظف يكتب…" : "المساعد يكتب…") : "";
        if (t.typing && t.agent) {
          agentTyping = setTimeout(function () { ui.typing.classList.remove("on"); ui.typing.textContent = ""; }, 6000);
        }
      });
    }

    function open() {
      ui.root.classList.add("bl-open"); ui.launch.setAttribute("aria-expanded", "true");
      if (!socket) connect();
      ui.input.focus();
    }
    function closePanel() {
      ui.root.classList.remove("bl-open"); ui.launch.setAttribute("aria-expanded", "false");
      ui.launch.focus();
    }

    ui.launch.addEventListener("click", open);
    ui.close.addEventListener("click", closePanel);
    ui.root.addEventListener("keydown", function (e) { if (e.key === "Escape") closePanel(); });
    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = ui.input.value.trim();
      if (text) { say(text); ui.input.value = ""; }
    });
    ui.attach.addEventListener("click", function () { ui.file.click(); });
    ui.file.addEventListener("change", function () {
      var chosen = ui.file.files && ui.file.files[0];
      if (!chosen || !token) return;
      var body = new FormData(); body.append("file", chosen);
      fetch(server + "/webhooks/webchat/upload?session=" + encodeURIComponent(token),
            { method: "POST", body: body })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (res) {
          if (!res.ok) { show("bot", "تعذّر رفع الملف: يُقبل JPG أو PNG أو PDF حتى 10 ميجابايت."); return; }
          say("📎 " + res.body.name, null, { attachments: [res.body] });
        });
      ui.file.value = "";
    });
    if (token) { open(); }
  }

  function withSocketIo(then) {
    if (window.io) return then();
    var s = document.createElement("script");
    s.src = base + "socket.io.min.js"; s.onload = then;
    document.head.appendChild(s);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { withSocketIo(start); });
  } else { withSocketIo(start); }
})();
